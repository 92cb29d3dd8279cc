import type { AuditEvent } from '../capture/event.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDataError } from './data-error.js';
import type { DropLog } from './drop-log.js';
import type { EntryKind } from './entry-kind.js';
import type { QueuedEvent } from './queue.js';
import type { RowWriter } from './row-writer.js';

export interface StoreContext<E = AuditEvent> {
  readonly write: RowWriter<E>;
  /** Which rows these are: how they are sized, read back from the spill file and salvaged. */
  readonly kind: EntryKind<E>;
  readonly logger: Logger;
  readonly drops: DropLog;
}

/**
 * Writes a batch. A data-class failure means one bad row, not a bad batch: halve until the row is
 * alone, store every good row, then store the bad one with the refused field replaced and a note, or
 * count it as dropped. Connection-class failures are thrown for the caller to retry the whole batch,
 * which is safe because rows already stored are skipped by event id. Resolves to how many were dropped.
 */
export async function storeBatch<E>(context: StoreContext<E>, entries: readonly QueuedEvent<E>[]): Promise<number> {
  try {
    await context.write(entries);
    return 0;
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (entries.length === 1) return salvage(context, entries[0]!, error);
    const half = entries.length >>> 1;
    return (await storeBatch(context, entries.slice(0, half))) + (await storeBatch(context, entries.slice(half)));
  }
}

async function salvage<E>(context: StoreContext<E>, entry: QueuedEvent<E>, refusal: unknown): Promise<number> {
  const reason = messageOf(refusal);
  for (const [field, event] of context.kind.fallbacks(entry.event, reason)) {
    try {
      await context.write([{ id: entry.id, event }]);
      context.logger.warn(`audit event ${entry.id} stored with ${field} replaced: ${reason}`);
      return 0;
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
  }
  context.drops.unwritable(entry.id, context.kind.describe(entry.event), reason);
  return 1;
}
