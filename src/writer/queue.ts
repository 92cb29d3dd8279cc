import type { AuditEvent } from '../capture/event.js';

/** One event on its way to the database, under the id that makes every retry and replay idempotent. */
export interface QueuedEvent {
  readonly id: string;
  readonly event: AuditEvent;
  /** Strict mode only: called once the event is stored, spilled and fsync'd, or counted as dropped. */
  durable?: () => void;
}

/** Settles what strict mode is waiting on; a no-op for events nobody waits for. */
export function settle(entries: readonly QueuedEvent[]): void {
  for (const entry of entries) {
    entry.durable?.();
    entry.durable = undefined;
  }
}

/** A FIFO with cheap removal at the head: `shift()` on a large array moves every element. */
export class EventQueue {
  private items: QueuedEvent[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(entry: QueuedEvent): void {
    this.items.push(entry);
  }

  shift(): QueuedEvent | undefined {
    const entry = this.items[this.head];
    if (entry) this.head++;
    this.compact();
    return entry;
  }

  /** Up to `count` of the oldest events, removed. */
  take(count: number): QueuedEvent[] {
    const taken = this.items.slice(this.head, this.head + count);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  /** A batch that could not be written goes back to the head, ahead of newer events. */
  requeue(entries: readonly QueuedEvent[]): void {
    this.items = [...entries, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** Everything, removed. */
  drain(): QueuedEvent[] {
    return this.take(this.length);
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
