import type { Redis } from 'ioredis';
import { decodeEntry, encodeEntry, type CountCache } from './count-cache.js';

export interface RedisCountCacheOptions {
  /** Key prefix of this table's counts, from countNamespace(). */
  readonly namespace: string;
  readonly ttlSeconds: number;
  /** Each call gives up after this long, so a slow Redis costs a list at most this much. */
  readonly timeoutMs: number;
}

/** Counts in Redis, shared by every process on the database. One round trip per read. */
export class RedisCountCache implements CountCache {
  private readonly generationKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCountCacheOptions,
  ) {
    // Not a hash, so never a count key; it has no TTL, or an expired generation could revive old counts.
    this.generationKey = `${options.namespace}generation`;
  }

  async read(key: string) {
    const [generationText, entry] = await this.within(this.redis.mget(this.generationKey, key));
    const generation = Number(generationText ?? 0);
    const count = decodeEntry(entry, generation);
    return count === undefined ? { generation } : { count };
  }

  async write(key: string, generation: number, count: number): Promise<void> {
    await this.within(this.redis.set(key, encodeEntry(generation, count), 'EX', this.options.ttlSeconds));
  }

  async invalidate(): Promise<void> {
    await this.within(this.redis.incr(this.generationKey));
  }

  private within<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    command.catch(() => {}); // a late failure after the timeout has already been handled
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }
}
