import { Op, type WhereOptions } from 'sequelize';
import { AuditTrailError } from '../errors.js';
import { parsedJson } from '../query/entry.js';
import { requireText } from '../query/filters.js';
import { newestFirst } from '../query/query.js';
import { toInstant, type TimeArgument } from '../query/time.js';
import type { Store } from '../store/store.js';
import type { ChangeEvent } from './change-event.js';
import { changeModel } from './change-model.js';

/** What `changes()` selects on; every filter is optional and they combine with AND. */
export interface ChangeQuery {
  model?: string;
  /** The record's primary key as stored: text, JSON for a composite key. */
  recordId?: string;
  /** The request's `user_actions.event_id`: everything that request changed. */
  eventId?: string;
  requestId?: string;
  userId?: string;
  /** From this moment on, inclusive. */
  from?: TimeArgument;
  /** Before this moment, exclusive. */
  to?: TimeArgument;
  /** Rows per page, 1 to 1000; default 50. */
  limit?: number;
  /** `nextCursor` from the previous page. */
  cursor?: string;
}

/** One stored `user_action_changes` row as readers see it: the recorded change, camelCase, with its ids and `changes` parsed. */
export interface ChangeEntry extends Omit<ChangeEvent, 'changes'> {
  id: number;
  changeId: string;
  changes: unknown;
}

export interface ChangePage {
  data: ChangeEntry[];
  /** Pass it back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const EXACT = { model: 'model', recordId: 'record_id', eventId: 'event_id', requestId: 'request_id', userId: 'user_id' } as const;

type Row = Record<string, unknown> & { id: number | string; timestamp: Date | string };

/** Newest first, keyset-paginated on (timestamp DESC, id DESC), like `query()`. */
export async function queryChanges(store: Store, query: ChangeQuery = {}): Promise<ChangePage> {
  // A column of type uuid on PostgreSQL: anything else would fail inside the query.
  if (query.eventId !== undefined && !UUID.test(String(query.eventId))) throw new AuditTrailError('invalid_query', `eventId must be a UUID; got ${JSON.stringify(query.eventId)}.`);
  const where: WhereOptions[] = [];
  for (const [name, column] of Object.entries(EXACT) as Array<[keyof typeof EXACT, string]>) {
    if (query[name] !== undefined) where.push({ [column]: requireText(name, query[name]) });
  }
  const now = new Date();
  if (query.from !== undefined) where.push({ timestamp: { [Op.gte]: toInstant(query.from, 'from', now) } });
  if (query.to !== undefined) where.push({ timestamp: { [Op.lt]: toInstant(query.to, 'to', now) } });
  return newestFirst(changeModel(store.sequelize), where, query, toChangeEntry);
}

function toChangeEntry(row: Row): ChangeEntry {
  return {
    id: Number(row.id),
    changeId: row.change_id as string,
    eventId: row.event_id as string | null,
    requestId: row.request_id as string | null,
    timestamp: new Date(row.timestamp),
    userId: row.user_id as string,
    username: row.username as string,
    model: row.model as string,
    tableName: row.table_name as string,
    recordId: row.record_id as string | null,
    operation: row.operation as ChangeEvent['operation'],
    changes: parsedJson(row.changes),
  };
}
