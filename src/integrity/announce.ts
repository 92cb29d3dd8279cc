import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Checkpoint } from './checkpoint.js';

/** Hands a signed checkpoint to the host's `onCheckpoint` on its thread; whatever it throws or rejects is logged, never raised into the writer. */
export function announceCheckpoint(onCheckpoint: ((checkpoint: Checkpoint) => void) | undefined, checkpoint: Checkpoint, logger: Logger): void {
  const failed = (error: unknown) => logger.error(`integrity.onCheckpoint failed for checkpoint ${checkpoint.seq}: ${messageOf(error)}`);
  try {
    // A callback that returns a promise (shipping the checkpoint somewhere) must not reject unheard.
    const shipped: unknown = onCheckpoint?.(checkpoint);
    if (shipped instanceof Promise) shipped.catch(failed);
  } catch (error) {
    failed(error);
  }
}
