import type { AuditEvent } from '../capture/event.js';
import type { QueuedEvent } from './queue.js';

/**
 * One INSERT of a whole batch, idempotent by event id: rows already stored are skipped, never
 * duplicated. Rejects with the driver's error, which the caller classifies.
 */
export type RowWriter<E = AuditEvent> = (entries: readonly QueuedEvent<E>[]) => Promise<void>;
