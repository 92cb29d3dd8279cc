import { describe, it, expect } from 'vitest';
import { COLUMN_LIMITS, clip } from '../../src/capture/columns.js';

describe('clip', () => {
  it('passes null and undefined through as null', () => {
    expect(clip(null, 10)).toBeNull();
    expect(clip(undefined, 10)).toBeNull();
  });

  it('leaves short values alone', () => {
    expect(clip('', 10)).toBe('');
    expect(clip('abc', 3)).toBe('abc');
  });

  it('cuts to max characters', () => {
    expect(clip('abcdef', 4)).toBe('abcd');
    expect(clip('x'.repeat(5_000_000), COLUMN_LIMITS.errorMessage)).toHaveLength(4096);
  });

  it('removes NUL characters', () => {
    expect(clip('a\u0000b\u0000', 10)).toBe('ab');
  });

  it('never splits a surrogate pair', () => {
    const clipped = clip('ab😀cd', 3);
    expect(clipped).toBe('ab');
    expect(clip('ab😀cd', 4)).toBe('ab😀');
  });

  it('replaces lone surrogates, which PostgreSQL rejects in JSON', () => {
    expect(clip('a\uD800b\uDC00', 10)).toBe('a\uFFFDb\uFFFD');
  });

  it('caps every column at the documented length', () => {
    expect(COLUMN_LIMITS).toEqual({
      userId: 255,
      username: 255,
      actionType: 100,
      resource: 500,
      outcome: 50,
      ipAddress: 45,
      requestId: 100,
      userAgent: 1024,
      errorMessage: 4096,
    });
    expect(Object.isFrozen(COLUMN_LIMITS)).toBe(true);
  });
});
