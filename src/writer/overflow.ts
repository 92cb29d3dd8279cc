import type { AuditEvent } from '../capture/event.js';
import type { EventQueue, QueuedEvent } from './queue.js';

export type OverflowPolicy = 'spill' | 'drop-oldest' | 'drop-newest' | 'block';

export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['spill', 'drop-oldest', 'drop-newest', 'block'];

interface Blocked<E> {
  readonly entry: QueuedEvent<E>;
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

export interface OverflowActions<E = AuditEvent> {
  spill(entries: readonly QueuedEvent<E>[]): void;
  drop(entries: readonly QueuedEvent<E>[]): void;
  /** Called when a waiting event entered the queue. */
  admitted(): void;
}

/** What happens to an event that finds the queue full (by count or by bytes): the configured policy, applied. */
export class Overflow<E = AuditEvent> {
  private blocked: Blocked<E>[] = [];

  constructor(
    private readonly queue: EventQueue<E>,
    private readonly options: { readonly onOverflow: OverflowPolicy; readonly blockTimeoutMs: number },
    private readonly actions: OverflowActions<E>,
  ) {}

  /** Events waiting for space (`block`). */
  get waiting(): number {
    return this.blocked.length;
  }

  /** A promise only under `block`, resolved once the event is queued or, at the timeout, dropped. */
  accept(entry: QueuedEvent<E>): Promise<void> | undefined {
    switch (this.options.onOverflow) {
      case 'spill':
        this.actions.spill([entry]);
        return undefined;
      case 'drop-newest':
        this.actions.drop([entry]);
        return undefined;
      case 'drop-oldest': {
        const oldest: QueuedEvent<E>[] = [];
        while (!this.queue.fits(entry)) oldest.push(this.queue.shift()!);
        this.actions.drop(oldest);
        this.queue.push(entry);
        this.actions.admitted();
        return undefined;
      }
      case 'block':
        return new Promise((resolve) => {
          const timer = setTimeout(() => {
            this.blocked = this.blocked.filter((blocked) => blocked.entry !== entry);
            this.actions.drop([entry]);
            resolve();
          }, this.options.blockTimeoutMs);
          this.blocked.push({ entry, resolve, timer });
        });
    }
  }

  /** Moves waiting events into the queue while it has room, oldest first. */
  admit(): void {
    let admitted = false;
    while (this.blocked.length > 0 && this.queue.fits(this.blocked[0]!.entry)) {
      const { entry, resolve, timer } = this.blocked.shift()!;
      clearTimeout(timer);
      this.queue.push(entry);
      resolve();
      admitted = true;
    }
    if (admitted) this.actions.admitted();
  }

  /** Every waiting event, released; close() decides their fate. */
  drain(): QueuedEvent<E>[] {
    const blocked = this.blocked.splice(0);
    for (const { timer, resolve } of blocked) {
      clearTimeout(timer);
      resolve();
    }
    return blocked.map(({ entry }) => entry);
  }
}
