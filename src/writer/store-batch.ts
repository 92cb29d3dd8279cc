import type { AuditEvent } from '../capture/event.js';
import { cutAt } from '../capture/text.js';
import { COLUMN_LIMITS } from '../capture/columns.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDataError } from './data-error.js';
import type { DropLog } from './drop-log.js';
import type { QueuedEvent } from './queue.js';
import type { RowWriter } from './row-writer.js';

/** What replaces a field the database refused, tried in this order (likeliest culprit first). */
const FALLBACKS: ReadonlyArray<readonly [keyof AuditEvent, unknown]> = [
  ['requestData', null],
  ['userAgent', null],
  ['errorMessage', null],
  ['durationMs', null],
  ['responseStatus', null],
  ['ipAddress', null],
  ['requestId', null],
  ['userRoles', []],
  ['resource', '[unwritable]'],
  ['username', '[unwritable]'],
  ['userId', '[unwritable]'],
  ['actionType', '[unwritable]'],
];

export interface StoreContext {
  readonly write: RowWriter;
  readonly logger: Logger;
  readonly drops: DropLog;
}

/**
 * Writes a batch. A data-class failure means one bad row, not a bad batch: halve until the row is
 * alone, store every good row, then store the bad one with the refused field replaced and a note, or
 * count it as dropped. Connection-class failures are thrown for the caller to retry the whole batch,
 * which is safe because rows already stored are skipped by event id. Resolves to how many were dropped.
 */
export async function storeBatch(context: StoreContext, entries: readonly QueuedEvent[]): Promise<number> {
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

async function salvage(context: StoreContext, entry: QueuedEvent, refusal: unknown): Promise<number> {
  const reason = messageOf(refusal);
  for (const [field, fallback] of FALLBACKS) {
    const note = `[audit-trail: ${field} could not be stored (${reason}) and was replaced]`;
    const original = entry.event.errorMessage;
    const errorMessage = cutAt(field === 'errorMessage' || original === null ? note : `${original} ${note}`, COLUMN_LIMITS.errorMessage);
    try {
      await context.write([{ id: entry.id, event: { ...entry.event, [field]: fallback, errorMessage } }]);
      context.logger.warn(`audit event ${entry.id} stored with ${field} replaced: ${reason}`);
      return 0;
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
  }
  context.logger.error(`audit event ${entry.id} (request ${entry.event.requestId ?? 'unknown'}) is unwritable: ${reason}`);
  context.drops.count('unwritable', 1);
  return 1;
}
