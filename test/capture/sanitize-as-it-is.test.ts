import { describe, expect, it } from 'vitest';
import { createSanitizer, type SanitizeOptions } from '../../src/capture/sanitize.js';

/** A small seeded generator, so that a failure names the seed that made it. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]! };
}

const KEYS = ['id', 'name', 'password', 'token', 'items', 'a', 'b "quoted"', 'ünï', 'nul\u0000key', 'authorization', 'x'.repeat(40), '__proto__', '1', 'toJSON'];
const STRINGS = ['', 'plain', 'quote " and \\ backslash', 'line\nbreak', 'lone \ud800', 'emoji 😀', 'nul \u0000', 'x'.repeat(300)];
const SCALARS = [0, -0, 1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY, true, false, null, undefined, () => 1, Symbol('s'), 12n];

function value(r: ReturnType<typeof random>, depth: number): unknown {
  const roll = r.next();
  if (depth > 4 || roll < 0.35) return r.next() < 0.5 ? r.pick(STRINGS) : r.pick(SCALARS);
  if (roll < 0.55) {
    const array: unknown[] = Array.from({ length: Math.floor(r.next() * 6) }, () => value(r, depth + 1));
    if (r.next() < 0.1) array.length += 2; // holes
    return array;
  }
  if (roll < 0.6) return r.pick([new Date(0), new Map([['password', 1]]), new Set([1]), Object.create(null) as object, new (class Thing {})()]);
  if (roll < 0.62) {
    return Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
  }
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(r.next() * 6); i > 0; i--) object[r.pick(KEYS)] = value(r, depth + 1);
  return object;
}

describe('subtrees written by JSON.stringify', () => {
  it('SA01 give exactly what the walk alone writes, budget, depth and key limits included', () => {
    const limits: SanitizeOptions[] = [{}, { maxBytes: 60 }, { maxBytes: 200 }, { maxBytes: 700 }, { maxKeys: 2 }, { maxDepth: 2 }, { maxBytes: 120, maxKeys: 3, maxDepth: 3 }];
    for (const options of limits) {
      const fast = createSanitizer(options);
      // A redact callback makes the walk track paths, which turns the JSON.stringify path off.
      const walked = createSanitizer({ ...options, redact: () => false });
      for (let seed = 1; seed <= 400; seed++) {
        const r = random(seed);
        const fields = { query: value(r, 1), route: '/r/:id', body: value(r, 1) };
        expect(fast.object(fields), `seed ${seed}, ${JSON.stringify(options)}`).toBe(walked.object(fields));
        const single = value(r, 1);
        expect(fast(single), `seed ${seed}, ${JSON.stringify(options)}`).toEqual(walked(single));
      }
    }
  });

  it('SA03 a huge body is read no further than the walk keeps: neither checked nor stringified past the budget', () => {
    const items = Array.from({ length: 400 }, () => 'x'.repeat(10_000));
    let reads = 0;
    const body = new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const json = createSanitizer().object({ body });
    expect(json.length).toBeLessThan(70_000);
    expect(JSON.parse(json)).toMatchObject({ truncated: true });
    expect(reads).toBeLessThan(20);
  });

  it('SA02 a large body with one secret: the secret is redacted, the rest written as it is', () => {
    const sections = Array.from({ length: 200 }, (_, i) => ({ id: i, heading: `Section ${i}`, tags: ['draft', `s${i % 7}`] }));
    const json = createSanitizer().object({ body: { title: 'Report', author: { name: 'ada', token: 'not-for-the-trail' }, sections } });
    expect(JSON.parse(json)).toEqual({ body: { title: 'Report', author: { name: 'ada', token: '[REDACTED]' }, sections } });
  });
});
