import { createHash } from 'node:crypto';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';

/**
 * Cached row counts for one table, invalidated by generation rather than by deleting keys: each count
 * is stored with the generation it was computed in, and invalidating bumps the generation. A count
 * computed before a write but stored after its invalidation is then never served, and invalidating
 * costs one command however many filter combinations are cached.
 */
export interface CountCache {
  /** The count stored under `key` if it belongs to the current generation; else the generation to store under. */
  read(key: string): Promise<{ readonly count: number } | { readonly generation: number }>;
  write(key: string, generation: number, count: number): Promise<void>;
  /** Makes every count stored so far stale. */
  invalidate(): Promise<void>;
}

/** `<keyPrefix><database>:count:<entity>:`; a key adds the hash of the normalized filters. */
export function countNamespace(keyPrefix: string, database: string, entity: string): string {
  return `${keyPrefix}${database}:count:${entity}:`;
}

/** Same filters, same key: entries sorted, absent ones left out by the caller's normalization. */
export function countKey(namespace: string, filters: Readonly<Record<string, string | undefined>>): string {
  const normalized = Object.entries(filters)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${namespace}${createHash('sha256').update(JSON.stringify(normalized)).digest('hex').slice(0, 32)}`;
}

/** The stored form of a count: `<generation>:<count>`. */
export function encodeEntry(generation: number, count: number): string {
  return `${generation}:${count}`;
}

export function decodeEntry(entry: string | null | undefined, generation: number): number | undefined {
  if (!entry) return undefined;
  const [stored, count] = entry.split(':');
  return Number(stored) === generation && count !== undefined ? Number(count) : undefined;
}

/** How soon an invalidation that could not reach the cache is tried again, doubling up to the cap. */
const RETRY_FIRST_MS = 250;
const RETRY_CAP_MS = 5_000;

/**
 * Reads through the cache and reports each outcome. Cache trouble is never the caller's: on any cache
 * error the count comes straight from `compute`.
 *
 * An invalidation that fails is owed, not forgotten: other processes would otherwise serve the counts
 * cached before the write for the rest of their TTL. Until it lands, this process counts in the
 * database, and a timer retries it so that it lands as soon as the cache is back, traffic or not.
 */
export class CountCachePolicy {
  private reported = false;
  private owed = false;
  private settling: Promise<boolean> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cache: CountCache,
    private readonly telemetry: Telemetry,
    private readonly logger: Logger,
  ) {}

  async count(key: string, compute: () => Promise<number>): Promise<number> {
    if (this.owed && !(await this.settle())) {
      this.telemetry.emit('count_cache', { result: 'error' });
      return compute();
    }
    let cached: Awaited<ReturnType<CountCache['read']>>;
    try {
      cached = await this.cache.read(key);
    } catch (error) {
      this.failed('read', error);
      return compute();
    }
    if ('count' in cached) {
      this.telemetry.emit('count_cache', { result: 'hit' });
      return cached.count;
    }
    this.telemetry.emit('count_cache', { result: 'miss' });
    const count = await compute();
    try {
      await this.cache.write(key, cached.generation, count);
      this.reported = false;
    } catch (error) {
      this.failed('write', error);
    }
    return count;
  }

  /** Call after the write has committed, never before: a count read in between would be cached stale. */
  async invalidate(): Promise<void> {
    try {
      await this.cache.invalidate();
      this.paid();
    } catch (error) {
      this.failed('invalidate', error);
      this.owed = true;
      if (!this.retryTimer) this.retryIn(RETRY_FIRST_MS);
    }
  }

  /** One attempt at the owed invalidation, shared by every caller waiting on it; true once it landed. */
  private settle(): Promise<boolean> {
    this.settling ??= this.cache
      .invalidate()
      .then(
        () => {
          this.logger.info('count cache reachable again: the invalidations it missed are applied');
          this.paid();
          return true;
        },
        () => false,
      )
      .finally(() => (this.settling = undefined));
    return this.settling;
  }

  private retryIn(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      void this.settle().then((landed) => {
        if (!landed && this.owed) this.retryIn(Math.min(delayMs * 2, RETRY_CAP_MS));
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  /** A generation bump makes every count stored before it stale, so one that lands pays all that are owed. */
  private paid(): void {
    this.owed = false;
    this.reported = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Logged once per outage, counted every time. */
  private failed(operation: string, error: unknown): void {
    this.telemetry.emit('count_cache', { result: 'error' });
    if (!this.reported) this.logger.warn(`count cache ${operation} failed, counting in the database: ${messageOf(error)}`);
    this.reported = true;
  }
}
