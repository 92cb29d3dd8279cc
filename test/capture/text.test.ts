import { describe, it, expect } from 'vitest';
import { cutAt, storableText } from '../../src/capture/text.js';

describe('storableText', () => {
  it('keeps ordinary text, including valid surrogate pairs', () => {
    expect(storableText('héllo 😀 世界')).toBe('héllo 😀 世界');
  });

  it('removes every NUL', () => {
    expect(storableText('\u0000a\u0000\u0000b\u0000')).toBe('ab');
  });

  it('replaces lone high and low surrogates with U+FFFD', () => {
    expect(storableText('\uD83D')).toBe('\uFFFD');
    expect(storableText('\uDE00x')).toBe('\uFFFDx');
    expect(storableText('\uDE00\uD83D')).toBe('\uFFFD\uFFFD');
    expect(storableText('\uD83D\u0000\uDE00')).toBe('\uFFFD\uFFFD');
  });
});

describe('cutAt', () => {
  it('returns short strings unchanged', () => {
    expect(cutAt('abc', 3)).toBe('abc');
    expect(cutAt('abc', 10)).toBe('abc');
  });

  it('cuts to max units', () => {
    expect(cutAt('abcdef', 2)).toBe('ab');
    expect(cutAt('abc', 0)).toBe('');
  });

  it('drops a high surrogate that would lose its pair', () => {
    expect(cutAt('😀😀', 3)).toBe('😀');
    expect(cutAt('😀😀', 1)).toBe('');
  });
});
