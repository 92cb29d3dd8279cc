import type { AuditEvent } from '../capture/event.js';
import type { Telemetry } from '../telemetry.js';
import type { QueuedEvent } from './queue.js';
import type { SpillFile } from './spill.js';

/** What a replay needs from the writer: its write slots, its store, and its failure handling. */
export interface ReplayTarget<E = AuditEvent> {
  /** Resolves once a write slot is this replay's; release() gives it back. */
  acquire(): Promise<void>;
  release(): void;
  /** Stores a batch, resolving to how many rows were stored; throws on a connection-class failure. */
  write(batch: readonly QueuedEvent<E>[]): Promise<number>;
  failed(error: unknown): void;
  /** True once the writer is closing: the rest waits for the next start. */
  stopping(): boolean;
}

/**
 * Replays the closed spill segments, oldest first, one batch at a time, deleting each segment once all of
 * it is stored. A crash mid-segment replays it again at the next start: event ids make that harmless.
 * False when it stopped early (an outage, or close()).
 */
export async function replaySegments<E>(spill: SpillFile<E>, batchSize: number, telemetry: Telemetry, target: ReplayTarget<E>): Promise<boolean> {
  await spill.rotate();
  for (const file of await spill.replayable()) {
    for await (const batch of spill.read(file, batchSize)) {
      if (target.stopping()) return false;
      await target.acquire();
      try {
        telemetry.emit('events_replayed', { count: await target.write(batch) });
      } catch (error) {
        target.failed(error);
        return false;
      } finally {
        target.release();
      }
    }
    await spill.remove(file);
  }
  return true;
}
