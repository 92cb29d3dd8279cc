import { describe, it, expect } from 'vitest';
import { compileKeyMatcher, keyWords } from '../../src/capture/key-matcher.js';

describe('keyWords', () => {
  it.each([
    ['x-api-key', ['x', 'api', 'key']],
    ['accessToken', ['access', 'token']],
    ['user_password', ['user', 'password']],
    ['APIKey', ['api', 'key']],
    ['PASSWORD_HASH', ['password', 'hash']],
    ['oauth2Token', ['oauth', '2', 'token']],
    ['classname', ['classname']],
    ['', []],
    ['--__', []],
  ])('splits %j', (key, words) => {
    expect(keyWords(key)).toEqual(words);
  });
});

describe('compileKeyMatcher', () => {
  const path: readonly string[] = [];

  it('matches a term with a plural s', () => {
    const matches = compileKeyMatcher(['api_key', 'password']);
    for (const key of ['apiKeys', 'x-api-keys', 'passwords', 'user_passwords', 'PASSWORDS']) expect(matches(key, path), key).toBe(true);
    for (const key of ['pass', 'passwordss', 'apis']) expect(matches(key, path), key).toBe(false);
  });

  it('matches runs of words against separator-free terms', () => {
    const matches = compileKeyMatcher(['api_key', 'social_security_number']);
    for (const key of ['apiKey', 'api-key', 'APIKEY', 'apikey', 'X-Api-Key', 'socialSecurityNumber', 'SOCIAL_SECURITY_NUMBER']) {
      expect(matches(key, path), key).toBe(true);
    }
    for (const key of ['api', 'key', 'rapikey', 'social_security', 'apiKeyss', 'apiKeyes']) {
      expect(matches(key, path), key).toBe(false);
    }
  });

  it('tests regexes against the raw key, ignoring global state', () => {
    const matches = compileKeyMatcher([/^x-internal-/gi]);
    expect(matches('X-Internal-Trace', path)).toBe(true);
    expect(matches('X-Internal-Trace', path)).toBe(true);
    expect(matches('trace', path)).toBe(false);
  });

  it('asks the callback last, with the path, and fails closed when it throws', () => {
    const calls: Array<[string, string[]]> = [];
    const matches = compileKeyMatcher(['password'], (key, keyPath) => {
      calls.push([key, [...keyPath]]);
      if (key === 'boom') throw new Error('bug in user callback');
      return keyPath.join('.') === 'user.email';
    });
    expect(matches('password', ['password'])).toBe(true);
    expect(matches('email', ['user', 'email'])).toBe(true);
    expect(matches('email', ['email'])).toBe(false);
    expect(matches('boom', ['boom'])).toBe(true);
    expect(calls.map(([key]) => key)).toEqual(['email', 'email', 'boom']);
  });

  it('keeps its verdicts right once more distinct keys than it remembers have gone by', () => {
    const matches = compileKeyMatcher(['password']);
    const keys = Array.from({ length: 2_500 }, (_, i) => (i % 2 === 0 ? `field${i}` : `field${i}Password`));
    const first = keys.map((key) => matches(key, path));
    expect(keys.map((key) => matches(key, path))).toEqual(first);
    expect(first.filter(Boolean)).toHaveLength(1_250);
    const long = `${'x'.repeat(200)}_password`;
    expect([matches(long, path), matches(long, path)]).toEqual([true, true]);
  });

  it('still asks the callback for a key whose term verdict it remembers', () => {
    const matches = compileKeyMatcher(['password'], (_key, keyPath) => keyPath[0] === 'secrets');
    expect(matches('note', ['note'])).toBe(false);
    expect(matches('note', ['secrets', 'note'])).toBe(true);
  });

  it('ignores terms without letters or digits', () => {
    const matches = compileKeyMatcher(['', '--']);
    expect(matches('', path)).toBe(false);
    expect(matches('anything', path)).toBe(false);
  });
});
