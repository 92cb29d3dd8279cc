import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countKey, countNamespace, CountCachePolicy, type CountCache } from '../../src/authors/count-cache.js';
import { MemoryCountCache } from '../../src/authors/memory-count-cache.js';
import { RedisCountCache } from '../../src/authors/redis-count-cache.js';
import { silentLogger } from '../../src/logger.js';
import { Telemetry } from '../../src/telemetry.js';

let redis: Redis;
beforeAll(() => void (redis = new Redis(inject('redisUrl'))));
afterAll(() => redis.disconnect());

let clock = 0;
const implementations: Array<[string, () => { cache: CountCache; namespace: string }]> = [
  [
    'redis',
    () => {
      const namespace = countNamespace('audit-trail:', `test_${randomUUID()}`, 'author');
      return { namespace, cache: new RedisCountCache(redis, { namespace, ttlSeconds: 300, timeoutMs: 1_000 }) };
    },
  ],
  ['memory', () => ({ namespace: 'memory:', cache: new MemoryCountCache(300, () => clock) })],
];

describe.each(implementations)('count cache contract: %s', (_name, create) => {
  it('K01 a written count is read back in the same generation', async () => {
    const { cache, namespace } = create();
    const key = countKey(namespace, { search: 'a' });
    const miss = await cache.read(key);
    expect(miss).toEqual({ generation: expect.any(Number) });
    await cache.write(key, (miss as { generation: number }).generation, 42);
    expect(await cache.read(key)).toEqual({ count: 42 });
  });

  it('K02 invalidate makes every key stale, and a count computed before it is never served after it', async () => {
    const { cache, namespace } = create();
    const [a, b] = [countKey(namespace, { search: 'a' }), countKey(namespace, {})];
    const before = (await cache.read(a)) as { generation: number };
    await cache.write(b, before.generation, 7);
    await cache.invalidate();
    await cache.write(a, before.generation, 1); // a list that counted before the write, storing late
    expect(await cache.read(a)).toEqual({ generation: expect.any(Number) });
    expect(await cache.read(b)).toEqual({ generation: expect.any(Number) });
    expect(((await cache.read(a)) as { generation: number }).generation).not.toBe(before.generation);
  });
});

describe('count keys', () => {
  it('K03 are <prefix><database>:count:<entity>:<hash>, the same for the same filters in any order', () => {
    const namespace = countNamespace('app1:', 'shop', 'author');
    expect(countKey(namespace, { name: 'x', search: 'y' })).toBe(countKey(namespace, { search: 'y', name: 'x' }));
    expect(countKey(namespace, { name: 'x', search: undefined })).toBe(countKey(namespace, { name: 'x' }));
    expect(countKey(namespace, { name: 'x' })).not.toBe(countKey(namespace, { search: 'x' }));
    expect(countKey(namespace, {})).toMatch(/^app1:shop:count:author:[0-9a-f]{32}$/);
  });

  it('K04 Redis entries expire within the TTL', async () => {
    const namespace = countNamespace('audit-trail:', `test_${randomUUID()}`, 'author');
    const cache = new RedisCountCache(redis, { namespace, ttlSeconds: 300, timeoutMs: 1_000 });
    const key = countKey(namespace, {});
    await cache.write(key, 0, 3);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('K06 the generation outlives its entries, then expires too: nothing is left in Redis for good', async () => {
    const namespace = countNamespace('audit-trail:', `test_${randomUUID()}`, 'author');
    const cache = new RedisCountCache(redis, { namespace, ttlSeconds: 300, timeoutMs: 1_000 });
    await cache.invalidate();
    expect(await redis.ttl(`${namespace}generation`)).toBeGreaterThan(300);
    await redis.persist(`${namespace}generation`);
    await cache.write(countKey(namespace, {}), 1, 3);
    const ttl = await redis.ttl(`${namespace}generation`);
    expect(ttl).toBeGreaterThan(300);
    expect(ttl).toBeLessThanOrEqual(600);
    await redis.del(`${namespace}generation`, countKey(namespace, {}));
  });

  it('K05 in-process entries expire after the TTL', async () => {
    clock = 0;
    const cache = new MemoryCountCache(300, () => clock);
    await cache.write('k', 0, 3);
    clock = 299_999;
    expect(await cache.read('k')).toEqual({ count: 3 });
    clock = 300_000;
    expect(await cache.read('k')).toEqual({ generation: 0 });
  });
});

describe('CountCachePolicy', () => {
  it('K06 reports miss then hit, and on a cache error counts directly and reports error', async () => {
    const telemetry = new Telemetry();
    const seen: string[] = [];
    telemetry.on('count_cache', ({ result }) => void seen.push(result));
    let computed = 0;
    const compute = async () => ++computed;
    const policy = new CountCachePolicy(new MemoryCountCache(300), telemetry, silentLogger);
    expect(await policy.count('k', compute)).toBe(1);
    expect(await policy.count('k', compute)).toBe(1);
    const failing: CountCache = {
      read: () => Promise.reject(new Error('down')),
      write: () => Promise.reject(new Error('down')),
      invalidate: () => Promise.reject(new Error('down')),
    };
    const broken = new CountCachePolicy(failing, telemetry, silentLogger);
    expect(await broken.count('k', compute)).toBe(2);
    await broken.invalidate();
    expect(seen).toEqual(['miss', 'hit', 'error', 'error']);
  });
});
