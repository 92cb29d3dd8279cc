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

/**
 * Reads through the cache and reports each outcome. Cache trouble is never the caller's: on any cache
 * error the count comes straight from `compute`.
 */
export class CountCachePolicy {
  private reported = false;

  constructor(
    private readonly cache: CountCache,
    private readonly telemetry: Telemetry,
    private readonly logger: Logger,
  ) {}

  async count(key: string, compute: () => Promise<number>): Promise<number> {
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
    } catch (error) {
      this.failed('invalidate', error);
    }
  }

  /** Logged once per outage, counted every time. */
  private failed(operation: string, error: unknown): void {
    this.telemetry.emit('count_cache', { result: 'error' });
    if (!this.reported) this.logger.warn(`count cache ${operation} failed, counting in the database: ${messageOf(error)}`);
    this.reported = true;
  }
}
