import type { EntryKind } from '../writer/entry-kind.js';

export type ChangeOperation = 'create' | 'update' | 'delete' | 'bulk_update' | 'bulk_delete' | 'restore' | 'upsert';

/** One committed write through a tracked model, ready to store: every column of `user_action_changes` but the ids. */
export interface ChangeEvent {
  /** When the write committed. */
  timestamp: Date;
  /** The request's `user_actions.event_id`; null outside a request. */
  eventId: string | null;
  requestId: string | null;
  userId: string;
  username: string;
  model: string;
  tableName: string;
  /** The primary key as text; JSON for a composite key; null for a bulk operation. */
  recordId: string | null;
  operation: ChangeOperation;
  /** JSON text: `{ field: [before, after] }` for an update, the row for a create or delete, `{ where, set? }` for a bulk operation. */
  changes: string;
}

const OVERHEAD = 200;
const UNWRITABLE = JSON.stringify({ '[audit-trail]': 'the changes could not be stored and were replaced' });

/** A change row: sized by its text, and when refused, stored without its changes before it is given up. */
export const CHANGES: EntryKind<ChangeEvent> = {
  bytes: (event) => OVERHEAD + event.changes.length + event.model.length + event.tableName.length + (event.recordId?.length ?? 0) + event.userId.length + event.username.length,
  revive: (stored) => ({ ...(stored as ChangeEvent), timestamp: new Date((stored as ChangeEvent).timestamp) }),
  *fallbacks(event) {
    yield ['changes', { ...event, changes: UNWRITABLE }];
    yield ['recordId', { ...event, changes: UNWRITABLE, recordId: null }];
  },
  describe: (event) => `${event.operation} of ${event.model} ${event.recordId ?? ''} (request ${event.requestId ?? 'none'})`,
};
