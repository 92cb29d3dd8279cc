import { decodeEntry, encodeEntry, type CountCache } from './count-cache.js';

/** Enough for every filter combination a busy list sees within a TTL; the oldest go first beyond it. */
const MAX_ENTRIES = 10_000;

/**
 * Counts in this process's memory, for when no Redis is configured: the same TTL and invalidation as
 * Redis, but a write made through another process is not seen here until the TTL runs out.
 */
export class MemoryCountCache implements CountCache {
  private readonly entries = new Map<string, { entry: string; expiresAt: number }>();
  private generation = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async read(key: string) {
    let stored = this.entries.get(key);
    if (stored && stored.expiresAt <= this.now()) {
      this.entries.delete(key);
      stored = undefined;
    }
    const count = decodeEntry(stored?.entry, this.generation);
    return count === undefined ? { generation: this.generation } : { count };
  }

  async write(key: string, generation: number, count: number): Promise<void> {
    this.entries.delete(key); // re-inserted last, so the map's order stays oldest first
    this.entries.set(key, { entry: encodeEntry(generation, count), expiresAt: this.now() + this.ttlSeconds * 1000 });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  async invalidate(): Promise<void> {
    this.generation += 1;
    this.entries.clear();
  }
}

const shared = new Map<string, MemoryCountCache>();

/** One in-process cache per namespace, so every router of this process on one database sees the others' writes. */
export function memoryCountCache(namespace: string, ttlSeconds: number): MemoryCountCache {
  let cache = shared.get(namespace);
  if (!cache) shared.set(namespace, (cache = new MemoryCountCache(ttlSeconds)));
  return cache;
}
