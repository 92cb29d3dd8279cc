import { describe, it, expect } from 'vitest';
import { Readable } from 'node:stream';
import { createSanitizer, type SanitizeOptions } from '../../src/capture/sanitize.js';
import { DEFAULT_SENSITIVE_KEYS } from '../../src/capture/sensitive-keys.js';

/** A sanitizer whose JSON text is parsed back, so that cases read as values. */
function sanitizer(options?: SanitizeOptions) {
  const sanitize = createSanitizer(options);
  return (input: unknown) => {
    const { json, truncated } = sanitize(input);
    return { value: json === undefined ? undefined : (JSON.parse(json) as unknown), truncated };
  };
}

const sanitize = sanitizer();
const KiB = 1024;

describe('createSanitizer', () => {
  describe('redaction', () => {
    it.each([
      'password',
      'Password',
      'PASSWORD',
      'user_password',
      'passwordHash',
      'passwd',
      'pwd',
      'client_secret',
      'clientSecret',
      'apiKey',
      'apikey',
      'api_key',
      'APIKey',
      'x-api-key',
      'accessToken',
      'access_token',
      'refresh_token',
      'refreshToken',
      'token',
      'Authorization',
      'private_key',
      'privateKey',
      'ssn',
      'SSN',
      'social_security_number',
      'creditCard',
      'credit-card',
      'cardNumber',
      'CVV',
      'cvv2',
      'passwords',
      'tokens',
      'secrets',
      'apiKeys',
      'accessTokens',
      'refreshTokens',
      'privateKeys',
      'cookie',
      'set-cookie',
      'session',
      'sessionId',
      'sid',
      'connect.sid',
      'jwt',
      'bearer',
      'auth',
      'passphrase',
      'credentials',
      'otp',
      'pin',
      'cvc',
      'signature',
      'X-Amz-Signature',
    ])('redacts %s', (key) => {
      const { value } = sanitize({ [key]: 'hunter2', keep: 'ok' });
      expect(value).toEqual({ [key]: '[REDACTED]', keep: 'ok' });
    });

    it.each(['classname', 'author', 'authors', 'authorId', 'tokenizer', 'Tokenizer', 'passage', 'secretary', 'username', 'keyword', 'cards', 'spinner', 'opinion', 'code', 'sig'])(
      'keeps %s',
      (key) => {
        expect(sanitize({ [key]: 'visible' }).value).toEqual({ [key]: 'visible' });
      },
    );

    it('redacts values of any type, including whole objects and arrays', () => {
      const { value } = sanitize({
        token: { nested: 'x' },
        password: ['a', 'b'],
        secret: 12345,
        apiKey: null,
        cvv: undefined,
      });
      expect(value).toEqual({
        token: '[REDACTED]',
        password: '[REDACTED]',
        secret: '[REDACTED]',
        apiKey: '[REDACTED]',
        cvv: '[REDACTED]',
      });
    });

    it('redacts at any depth and inside arrays of arrays', () => {
      const input = {
        users: [[{ name: 'a', password: 'p1' }], [[{ profile: { accessToken: 't' } }]]],
        meta: { deep: { deeper: { client_secret: 's' } } },
      };
      expect(sanitize(input).value).toEqual({
        users: [[{ name: 'a', password: '[REDACTED]' }], [[{ profile: { accessToken: '[REDACTED]' } }]]],
        meta: { deep: { deeper: { client_secret: '[REDACTED]' } } },
      });
    });

    it('redacts code and sig in the query string only, where they carry an OAuth code or a URL signature', () => {
      const json = createSanitizer().object({ query: { code: 'oauth-code', sig: 's', 'X-Amz-Signature': 'a', session: 'x', page: '2' }, body: { code: 'E42', sig: 'label' } });
      expect(JSON.parse(json)).toEqual({
        query: { code: '[REDACTED]', sig: '[REDACTED]', 'X-Amz-Signature': '[REDACTED]', session: '[REDACTED]', page: '2' },
        body: { code: 'E42', sig: 'label' },
      });
    });

    it('refuses a redactText that is not a boolean, saying what it takes', () => {
      expect(() => createSanitizer({ redactText: 'yes' as never })).toThrow(/sanitize.redactText must be true or false/);
    });

    it('redacts Map entries by key', () => {
      const { value } = sanitize({
        creds: new Map<unknown, unknown>([
          ['password', 'p'],
          ['user', 'u'],
          [7, 'seven'],
        ]),
      });
      expect(value).toEqual({ creds: { password: '[REDACTED]', user: 'u', '7': 'seven' } });
    });

    it('extends, never replaces, the default list', () => {
      const custom = sanitizer({ redactKeys: ['pin_code', /^x-internal-/i] });
      expect(custom({ pinCode: '1234', 'X-Internal-Id': 'i', password: 'p', other: 'o' }).value).toEqual({
        pinCode: '[REDACTED]',
        'X-Internal-Id': '[REDACTED]',
        password: '[REDACTED]',
        other: 'o',
      });
      expect(DEFAULT_SENSITIVE_KEYS).toContain('password');
    });

    it('calls the redact callback with the path from the root to the key', () => {
      const paths: string[] = [];
      const custom = sanitizer({
        redact: (key, path) => {
          paths.push(path.join('.'));
          return key === 'email' && path[0] === 'user';
        },
      });
      const { value } = custom({ user: { email: 'a@b.c' }, contact: { email: 'x@y.z' }, list: [{ email: 'q' }] });
      expect(value).toEqual({ user: { email: '[REDACTED]' }, contact: { email: 'x@y.z' }, list: [{ email: 'q' }] });
      expect(paths).toEqual(['user', 'user.email', 'contact', 'contact.email', 'list', 'list.0.email']);
    });

    it('redacts when the redact callback throws', () => {
      const custom = sanitizer({
        redact: () => {
          throw new Error('oops');
        },
      });
      expect(custom({ anything: 1 }).value).toEqual({ anything: '[REDACTED]' });
    });
  });

  describe('JSON semantics', () => {
    it('passes plain JSON through unchanged and untruncated', () => {
      const input = { a: 1, b: 'two', c: [true, false, null], d: { e: -1.5 } };
      expect(sanitize(input)).toEqual({ value: input, truncated: false });
    });

    it('writes the JSON text JSON.stringify writes for plain JSON', () => {
      const input = { a: 1, b: 'tw"o\\', c: [true, false, null, -0, 1e21], d: { e: -1.5, f: {} }, g: [], h: 'ünï 😀\n' };
      expect(createSanitizer()(input)).toEqual({ json: JSON.stringify(input), truncated: false });
    });

    it('marks circular references and keeps shared ones', () => {
      const shared = { v: 1 };
      const input: Record<string, unknown> = { shared, again: shared, list: [] as unknown[] };
      input.self = input;
      (input.list as unknown[]).push(input, [input.list]);
      expect(sanitize(input).value).toEqual({
        shared: { v: 1 },
        again: { v: 1 },
        list: ['[Circular]', ['[Circular]']],
        self: '[Circular]',
      });
    });

    it('writes BigInt as a decimal string', () => {
      expect(sanitize({ big: 12345678901234567890n, list: [-1n] }).value).toEqual({
        big: '12345678901234567890',
        list: ['-1'],
      });
    });

    it('writes dates as ISO strings and invalid dates as null', () => {
      const { value } = sanitize({ at: new Date('2024-05-01T12:00:00Z'), bad: new Date('nope') });
      expect(value).toEqual({ at: '2024-05-01T12:00:00.000Z', bad: null });
    });

    it('summarises binary data', () => {
      const { value } = sanitize({
        buffer: Buffer.from('hello world!'),
        bytes: new Uint8Array(3),
        floats: new Float64Array(2),
        raw: new ArrayBuffer(5),
      });
      expect(value).toEqual({
        buffer: '[Buffer 12 bytes]',
        bytes: '[Uint8Array 3 bytes]',
        floats: '[Float64Array 16 bytes]',
        raw: '[ArrayBuffer 5 bytes]',
      });
    });

    it('replaces streams and pipe-able objects', () => {
      const { value } = sanitize({ upload: Readable.from(['x']), duck: { pipe() {} } });
      expect(value).toEqual({ upload: '[Stream]', duck: '[Stream]' });
    });

    it('drops functions, symbols and undefined from objects and writes null for them in arrays', () => {
      const { value } = sanitize({ f: () => 1, s: Symbol('s'), u: undefined, keep: 1, list: [() => 1, Symbol('s'), undefined, 2] });
      expect(value).toEqual({ keep: 1, list: [null, null, null, 2] });
      expect(Object.keys(value as object)).toEqual(['keep', 'list']);
    });

    it('writes array holes as null', () => {
      // eslint-disable-next-line no-sparse-arrays
      expect(sanitize([1, , 3]).value).toEqual([1, null, 3]);
    });

    it('writes NaN and Infinity as null', () => {
      expect(sanitize({ a: Number.NaN, b: Infinity, c: [-Infinity] }).value).toEqual({ a: null, b: null, c: [null] });
    });

    it('turns a Set into an array and a Map into an object', () => {
      expect(sanitize({ tags: new Set(['a', 'b']), m: new Map([['k', new Set([1])]]) }).value).toEqual({
        tags: ['a', 'b'],
        m: { k: [1] },
      });
    });

    it('uses toJSON, with the property name, without calling toJSON on its result', () => {
      class Money {
        constructor(readonly cents: number) {}
        toJSON(key: string) {
          return { amount: this.cents / 100, key, password: 'leak?' };
        }
      }
      class Loop {
        toJSON() {
          return this;
        }
      }
      expect(sanitize({ price: new Money(1250), loop: new Loop() }).value).toEqual({
        price: { amount: 12.5, key: 'price', password: '[REDACTED]' },
        loop: {},
      });
    });

    it('copies class instances without toJSON like plain objects', () => {
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
        get length() {
          return Math.hypot(this.x, this.y);
        }
      }
      expect(sanitize(new Point(3, 4)).value).toEqual({ x: 3, y: 4 });
    });

    it('handles null-prototype objects', () => {
      const bare = Object.assign(Object.create(null) as object, { a: 1, token: 't' });
      expect(sanitize(bare).value).toEqual({ a: 1, token: '[REDACTED]' });
    });

    it('keeps a __proto__ key as data without touching the prototype', () => {
      const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
      expect(createSanitizer()(input).json).toBe('{"__proto__":{"polluted":true},"a":1}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('handles primitives at the root', () => {
      expect(sanitize('text').value).toBe('text');
      expect(sanitize(42).value).toBe(42);
      expect(sanitize(null).value).toBeNull();
      expect(sanitize(undefined).value).toBeUndefined();
      expect(sanitize(() => 1).value).toBeUndefined();
    });
  });

  describe('NUL and unpaired surrogates', () => {
    it('removes NUL from values and keys', () => {
      const { value } = sanitize({ 'na\u0000me': 'a\u0000b', list: ['\u0000'], 'pass\u0000word': 'secret' });
      expect(value).toEqual({ name: 'ab', list: [''], password: '[REDACTED]' });
      expect(JSON.stringify(value)).not.toContain('\\u0000');
    });

    it('replaces lone surrogates so PostgreSQL accepts the JSON', () => {
      expect(sanitize({ ['k\uD800']: 'v\uDC00' }).value).toEqual({ 'k\uFFFD': 'v\uFFFD' });
    });
  });

  describe('caps', () => {
    it('replaces containers nested deeper than maxDepth', () => {
      const shallow = sanitizer({ maxDepth: 2 });
      expect(shallow({ a: { b: { c: 1 } }, list: [[1]], s: 'ok' })).toEqual({
        value: { a: { b: '[Truncated]' }, list: ['[Truncated]'], s: 'ok' },
        truncated: true,
      });
    });

    it('survives very deep nesting with the default depth', () => {
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 100_000; i++) deep = { next: deep };
      const result = sanitize(deep);
      expect(result.truncated).toBe(true);
      expect(JSON.stringify(result.value)).toContain('[Truncated]');
    });

    it('cuts long arrays with a count of what is missing', () => {
      const result = sanitizer({ maxKeys: 3 })([1, 2, 3, 4, 5]);
      expect(result).toEqual({ value: [1, 2, 3, '[… 2 more items]'], truncated: true });
      expect(sanitizer({ maxKeys: 2 })(new Set([1, 2, 3])).value).toEqual([1, 2, '[… 1 more items]']);
    });

    it('cuts objects with too many keys', () => {
      const result = sanitizer({ maxKeys: 2 })({ a: 1, b: 2, c: 3, d: 4 });
      expect(result).toEqual({ value: { a: 1, b: 2, '…': '2 more keys' }, truncated: true });
    });

    it('cuts a 200k-key object to maxKeys entries', () => {
      const huge: Record<string, number> = {};
      for (let i = 0; i < 200_000; i++) huge[`key${i}`] = i;
      const result = sanitize({ huge });
      const kept = (result.value as { huge: Record<string, unknown> }).huge;
      expect(Object.keys(kept)).toHaveLength(501);
      expect(kept['…']).toBe('199500 more keys');
      expect(result.truncated).toBe(true);
    });

    it('cuts a 5 MB string to about 64 KiB', () => {
      const result = sanitize({ note: 'x'.repeat(5 * 1024 * 1024), after: 'dropped?' });
      const json = JSON.stringify(result.value);
      expect(result.truncated).toBe(true);
      expect(json.length).toBeLessThanOrEqual(64 * KiB + 100);
      expect(json.length).toBeGreaterThan(60 * KiB);
      expect((result.value as { note: string }).note.endsWith('…[truncated]')).toBe(true);
    });

    it('cuts a 5 MB structured body to about 64 KiB', () => {
      const body = {
        items: Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `item ${i}`, text: 'y'.repeat(80) })),
      };
      expect(JSON.stringify(body).length).toBeGreaterThan(5_000_000);
      const result = sanitizer({ maxKeys: 100_000 })(body);
      const json = JSON.stringify(result.value);
      expect(result.truncated).toBe(true);
      expect(json.length).toBeLessThanOrEqual(64 * KiB + 200);
      expect(json).toMatch(/more items\]"\]\}$/);
    });

    it('stays within maxBytes for many medium strings and long keys', () => {
      const body = {
        list: Array.from({ length: 400 }, () => 'z'.repeat(1000)),
        [`k${'e'.repeat(100_000)}`]: 1,
        nested: { a: 'b'.repeat(50_000) },
      };
      const result = sanitizer({ maxBytes: 8 * KiB })(body);
      expect(result.truncated).toBe(true);
      expect(JSON.stringify(result.value).length).toBeLessThanOrEqual(8 * KiB + 200);
    });

    it('never splits a surrogate pair when cutting', () => {
      const result = sanitizer({ maxBytes: 101 })('😀'.repeat(1000));
      const text = result.value as string;
      expect(text.endsWith('…[truncated]')).toBe(true);
      expect(text.slice(0, -'…[truncated]'.length)).toMatch(/^(😀)+$/u);
    });

    it('reports truncated: false when nothing hit a cap', () => {
      expect(sanitize({ a: 'x'.repeat(1000), list: Array.from({ length: 500 }, (_, i) => i) }).truncated).toBe(false);
    });
  });

  describe('hostile input', () => {
    it('survives throwing getters', () => {
      const input = {
        ok: 1,
        get bad(): never {
          throw new Error('getter');
        },
      };
      expect(sanitize(input).value).toEqual({ ok: 1, bad: '[Unserializable]' });
    });

    it('survives a throwing toJSON', () => {
      expect(
        sanitize({
          x: {
            toJSON: () => {
              throw new Error('no');
            },
          },
        }).value,
      ).toEqual({ x: '[Unserializable]' });
    });

    it('survives hostile Proxies', () => {
      const hostile = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('ownKeys');
          },
          get() {
            throw new Error('get');
          },
        },
      );
      const revocable = Proxy.revocable({}, {});
      revocable.revoke();
      expect(sanitize({ hostile, revoked: revocable.proxy, ok: true }).value).toEqual({
        hostile: '[Unserializable]',
        revoked: '[Unserializable]',
        ok: true,
      });
    });

    it('drops what a container wrote before it threw, and keeps the rest', () => {
      const key = {
        toString: () => {
          throw new Error('no');
        },
      };
      const json = createSanitizer()({
        m: new Map<unknown, unknown>([
          ['first', { deep: [1, 2] }],
          [key, 1],
        ]),
        after: 2,
      }).json;
      expect(json).toBe('{"m":"[Unserializable]","after":2}');
    });

    it('survives Map keys that cannot be stringified', () => {
      const key = {
        toString: () => {
          throw new Error('no');
        },
      };
      expect(sanitize({ m: new Map([[key, 1]]) }).value).toEqual({ m: '[Unserializable]' });
    });

    it('always produces JSON.stringify-able output', () => {
      const nasty: Record<string, unknown> = {
        big: 1n,
        sym: Symbol('x'),
        fn() {},
        date: new Date(Number.NaN),
        nested: [new Map([[Symbol('k'), 2n]]), new Set([undefined])],
      };
      nasty.self = nasty;
      const { value } = sanitize(nasty);
      expect(() => JSON.stringify(value)).not.toThrow();
      expect(value).toEqual({ big: '1', date: null, nested: [{ 'Symbol(k)': '2' }, [null]], self: '[Circular]' });
    });
  });

  describe('object(fields)', () => {
    it('writes the fields in order, without the omitted ones', () => {
      expect(createSanitizer().object({ query: { page: '2' }, route: undefined, body: { a: 1 } })).toBe('{"query":{"page":"2"},"body":{"a":1}}');
      expect(createSanitizer().object({ query: undefined })).toBe('{}');
    });

    it('adds "truncated": true inside the object when a cap cut anything', () => {
      const json = createSanitizer({ maxKeys: 2 }).object({ query: {}, body: [1, 2, 3] });
      expect(JSON.parse(json)).toEqual({ query: {}, body: [1, 2, '[… 1 more items]'], truncated: true });
      expect(JSON.parse(createSanitizer({ maxKeys: 1 }).object({ a: 1, b: 2 }))).toEqual({ a: 1, '…': '1 more keys', truncated: true });
    });

    it('budgets the earlier fields first, so only the last one is cut', () => {
      const query = { action: 'delete_everything', target: 'prod' };
      const json = createSanitizer().object({ query, route: '/echo', body: { text: 'x'.repeat(70 * KiB) } });
      expect(json.length).toBeLessThanOrEqual(64 * KiB + 100);
      const stored = JSON.parse(json) as { query: unknown; route: unknown; body: { text: string }; truncated: boolean };
      expect(stored).toMatchObject({ query, route: '/echo', truncated: true });
      expect(stored.body.text.endsWith('…[truncated]')).toBe(true);
    });
  });
});
