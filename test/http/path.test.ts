import { describe, expect, it } from 'vitest';
import { compilePath, joinPath, splitUrl, underPrefix } from '../../src/http/path.js';

describe('compilePath', () => {
  it('matches literal and :name segments, ignoring one trailing slash', () => {
    expect(compilePath('/')('/')).toEqual({});
    expect(compilePath('/')('')).toEqual({});
    expect(compilePath('/:id')('/42')).toEqual({ id: '42' });
    expect(compilePath('/:id')('/42/')).toEqual({ id: '42' });
    expect(compilePath('/:id/books')('/42/books')).toEqual({ id: '42' });
    expect(compilePath('/:id')('/')).toBeUndefined();
    expect(compilePath('/:id')('/1/2')).toBeUndefined();
    expect(compilePath('/stats')('/other')).toBeUndefined();
  });

  it('decodes parameters and refuses malformed escapes', () => {
    expect(compilePath('/:id')('/a%20b')).toEqual({ id: 'a b' });
    expect(compilePath('/:id')('/%E0%A4%A')).toBeUndefined();
  });
});

describe('path helpers', () => {
  it('joinPath puts a template under its mount; the root route is the mount itself', () => {
    expect(joinPath('/authors', '/')).toBe('/authors');
    expect(joinPath('/authors', '/:id')).toBe('/authors/:id');
    expect(joinPath('', '/')).toBe('/');
  });

  it('splitUrl never reads //host as a host', () => {
    expect(splitUrl('//evil.example/x?a=1')).toMatchObject({ path: '//evil.example/x' });
    expect(splitUrl('/1?a=1&a=2').query.getAll('a')).toEqual(['1', '2']);
  });

  it('underPrefix keeps /authorsX out of /authors', () => {
    expect(underPrefix('/authors', '/authors')).toBe('/');
    expect(underPrefix('/authors/1', '/authors')).toBe('/1');
    expect(underPrefix('/authorsX', '/authors')).toBeUndefined();
    expect(underPrefix('/x', '')).toBe('/x');
  });
});
