import { describe, expect, it } from 'vitest';
import { pathOf } from '../../src/capture/request-capture.js';

describe('pathOf', () => {
  it.each([
    ['/authors/311?x=1', '/authors/311'],
    ['/AUTHORS/312', '/AUTHORS/312'],
    ['http://x/authors/311', '/authors/311'],
    ['HTTPS://user:pw@host:8443/a/b?token=t', '/a/b'],
    ['http://attacker.example', '/'],
    ['http://attacker.example?q=1', '/'],
    ['*', '*'],
  ])('%s is recorded as %s', (url, path) => {
    expect(pathOf(url)).toBe(path);
  });
});
