import { describe, it, expect } from 'vitest';
import { resolveRequestId } from '../../src/capture/request-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveRequestId', () => {
  it('reuses a well-formed incoming id', () => {
    expect(resolveRequestId('req-1.2_3:abc')).toBe('req-1.2_3:abc');
    expect(resolveRequestId('a')).toBe('a');
    expect(resolveRequestId('x'.repeat(100))).toBe('x'.repeat(100));
  });

  it('takes the first value of a repeated header', () => {
    expect(resolveRequestId(['first', 'second'])).toBe('first');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['an empty array', []],
    ['too long', 'x'.repeat(101)],
    ['spaces', 'abc def'],
    ['a trailing newline', 'abc\n'],
    ['an embedded CRLF', 'abc\r\nX-Injected: 1'],
    ['unicode', 'réquest'],
    ['an emoji', 'id-😀'],
    ['quotes', '"abc"'],
    ['a NUL byte', 'abc\u0000'],
    ['an unsafe first array value', ['bad id', 'good']],
  ])('replaces %s with a UUID v4', (_label, header) => {
    const id = resolveRequestId(header as string | string[] | undefined);
    expect(id).toMatch(UUID_V4);
  });

  it('generates a different id each time', () => {
    expect(resolveRequestId(undefined)).not.toBe(resolveRequestId(undefined));
  });
});
