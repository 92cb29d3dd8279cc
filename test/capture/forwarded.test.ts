import { describe, it, expect } from 'vitest';
import { forwardedFor } from '../../src/capture/forwarded.js';

describe('forwardedFor', () => {
  it('reads the RFC 7239 examples', () => {
    expect(forwardedFor('for="_gazonk"')).toEqual(['_gazonk']);
    expect(forwardedFor('For="[2001:db8:cafe::17]:4711"')).toEqual(['[2001:db8:cafe::17]:4711']);
    expect(forwardedFor('for=192.0.2.60;proto=http;by=203.0.113.43')).toEqual(['192.0.2.60']);
    expect(forwardedFor('for=192.0.2.43, for=198.51.100.17')).toEqual(['192.0.2.43', '198.51.100.17']);
  });

  it('finds for= anywhere in an element, in any case', () => {
    expect(forwardedFor('proto=https;FOR=192.0.2.1;host=example.com')).toEqual(['192.0.2.1']);
    expect(forwardedFor('by=10.0.0.1; for = 192.0.2.1')).toEqual(['192.0.2.1']);
  });

  it('reads quoted values with ports, separators and escapes inside', () => {
    expect(forwardedFor('for="192.0.2.60:8080"')).toEqual(['192.0.2.60:8080']);
    expect(forwardedFor('host="a,b;c", for="x\\"y"')).toEqual(['unknown', 'x"y']);
  });

  it('keeps unknown and obfuscated nodes as hops', () => {
    expect(forwardedFor('for=unknown, for=_hidden, for=192.0.2.1')).toEqual(['unknown', '_hidden', '192.0.2.1']);
  });

  it('counts an element without for= as an unknown hop', () => {
    expect(forwardedFor('for=192.0.2.1, proto=https;by=10.0.0.1')).toEqual(['192.0.2.1', 'unknown']);
  });

  it('ignores empty list elements', () => {
    expect(forwardedFor(' , for=192.0.2.1,, ,for=10.0.0.1 ,')).toEqual(['192.0.2.1', '10.0.0.1']);
    expect(forwardedFor('')).toEqual([]);
  });

  it('keeps the first for= of an element', () => {
    expect(forwardedFor('for=192.0.2.1;for=10.0.0.1')).toEqual(['192.0.2.1']);
  });

  it('survives garbage: a malformed element is an unknown hop, the rest still parses', () => {
    expect(forwardedFor('garbage "unterminated, for=192.0.2.1')).toEqual(['unknown']);
    expect(forwardedFor('=;==, for=192.0.2.1')).toEqual(['unknown', '192.0.2.1']);
    expect(forwardedFor('for="unterminated')).toEqual(['unknown']);
  });
});
