import type { ChainableCommander, Redis } from 'ioredis';
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
    // Not a hash, so never a count key.
    this.generationKey = `${options.namespace}generation`;
  }

  async read(key: string) {
    const [generationText, entry] = await this.within(this.redis.mget(this.generationKey, key));
    const generation = Number(generationText ?? 0);
    const count = decodeEntry(entry, generation);
    return count === undefined ? { generation } : { count };
  }

  /**
   * Each write and invalidation also sets the generation's life to twice the entries' TTL: it outlives every
   * entry written under it, so when it expires (back to 0) no old count is left to revive, and an idle
   * table leaves nothing behind in Redis.
   */
  async write(key: string, generation: number, count: number): Promise<void> {
    const { ttlSeconds } = this.options;
    await this.transaction(
      this.redis
        .multi()
        .set(key, encodeEntry(generation, count), 'EX', ttlSeconds)
        .expire(this.generationKey, 2 * ttlSeconds),
    );
  }

  async invalidate(): Promise<void> {
    await this.transaction(
      this.redis
        .multi()
        .incr(this.generationKey)
        .expire(this.generationKey, 2 * this.options.ttlSeconds),
    );
  }

  /** A MULTI answers each command's error in its results: the first one fails the call, as a lone command would. */
  private async transaction(commands: ChainableCommander): Promise<void> {
    const failed = (await this.within(commands.exec()))?.find(([error]) => error);
    if (failed) throw failed[0];
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
