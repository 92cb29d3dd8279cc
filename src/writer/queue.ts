import type { AuditEvent } from '../capture/event.js';

/** One event on its way to the database, under the id that makes every retry and replay idempotent. */
export interface QueuedEvent<E = AuditEvent> {
  readonly id: string;
  readonly event: E;
  /** Strict mode only: called once the event is stored, spilled and fsync'd, or counted as dropped. */
  durable?: () => void;
  /** Its eventBytes(), measured once however often it leaves the queue and comes back. */
  bytes?: number;
}

/** Settles what strict mode is waiting on; a no-op for events nobody waits for. */
export function settle(entries: readonly QueuedEvent<unknown>[]): void {
  for (const entry of entries) {
    entry.durable?.();
    entry.durable = undefined;
  }
}

/**
 * Most event bytes in one batch, whatever batchSize says: writing a batch holds several copies of it at once
 * (the events, their JSON, the statement's parameters, the wire buffer), so 500 large bodies must not go together.
 */
export const BATCH_BYTES = 4 * 1024 * 1024;

export interface QueueLimits {
  /** Most events held. */
  readonly maxQueue: number;
  /** Most event bytes held (see eventBytes): a few large bodies must not fill the heap before maxQueue is reached. */
  readonly maxQueueBytes: number;
}

/** A FIFO bounded by count and by bytes, with cheap removal at the head: `shift()` on a large array moves every element. */
export class EventQueue<E = AuditEvent> {
  private items: QueuedEvent<E>[] = [];
  private head = 0;
  private heldBytes = 0;

  constructor(
    private readonly limits: QueueLimits,
    /** About what an event holds in memory (see eventBytes); run once per event. */
    private readonly bytesOf: (event: E) => number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Whether the entry may join without passing either bound. An empty queue takes one event however large. */
  fits(entry: QueuedEvent<E>): boolean {
    if (this.length === 0) return true;
    return this.length < this.limits.maxQueue && this.heldBytes + this.sizeOf(entry) <= this.limits.maxQueueBytes;
  }

  push(entry: QueuedEvent<E>): void {
    this.items.push(entry);
    this.heldBytes += this.sizeOf(entry);
  }

  shift(): QueuedEvent<E> | undefined {
    return this.take(1)[0];
  }

  /** Whether a batch of `count` events, or of BATCH_BYTES, is waiting. */
  holdsBatch(count: number): boolean {
    return this.length >= count || this.heldBytes >= BATCH_BYTES;
  }

  /** Up to `count` of the oldest events and at most `maxBytes` of them (but always one), removed. */
  take(count: number, maxBytes = Infinity): QueuedEvent<E>[] {
    const last = Math.min(this.items.length, this.head + count);
    let end = this.head;
    let bytes = 0;
    for (; end < last; end++) {
      const size = this.sizeOf(this.items[end]!);
      if (end > this.head && bytes + size > maxBytes) break;
      bytes += size;
    }
    const taken = this.items.slice(this.head, end);
    this.head = end;
    this.heldBytes -= bytes;
    this.compact();
    return taken;
  }

  /** A batch that could not be written goes back to the head, ahead of newer events. */
  requeue(entries: readonly QueuedEvent<E>[]): void {
    this.items = [...entries, ...this.items.slice(this.head)];
    this.head = 0;
    for (const entry of entries) this.heldBytes += this.sizeOf(entry);
  }

  /** Everything, removed. */
  drain(): QueuedEvent<E>[] {
    return this.take(this.length);
  }

  private sizeOf(entry: QueuedEvent<E>): number {
    return (entry.bytes ??= this.bytesOf(entry.event));
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
