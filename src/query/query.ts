import { Op, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { AuditTrailError } from '../errors.js';
import type { UserActionRow } from '../store/models.js';
import type { Store } from '../store/store.js';
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
import { toEntry, type AuditLogEntry } from './entry.js';
import { whereOf, type AuditLogFilters } from './filters.js';

const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface AuditLogQuery extends AuditLogFilters {
  /** Rows per page, 1 to 1000; default 50. */
  limit?: number;
  /** `nextCursor` from the previous page. */
  cursor?: string;
}

export interface AuditLogPage {
  data: AuditLogEntry[];
  /** Pass it back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Newest first, keyset-paginated on (timestamp DESC, id DESC): page N costs what page 1 costs. */
export async function queryLog(store: Store, query: AuditLogQuery = {}): Promise<AuditLogPage> {
  return newestFirst(store.models.UserAction as unknown as ModelStatic<Model>, whereOf(query), query, toEntry);
}

/** One page of a table with `timestamp` and `id`, newest first; the rows as `toEntry` reads them. */
export async function newestFirst<Row, Entry extends CursorPosition>(
  model: ModelStatic<Model>,
  where: WhereOptions[],
  page: { readonly limit?: number; readonly cursor?: string },
  toEntry: (row: Row) => Entry,
): Promise<{ data: Entry[]; nextCursor: string | null }> {
  const limit = limitOf(page.limit);
  if (page.cursor !== undefined) where.push(after(decodeCursor(page.cursor)));
  const rows = (await model.findAll({
    where: { [Op.and]: where },
    order: [
      ['timestamp', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: limit + 1,
    raw: true,
  })) as unknown as Row[];
  const data = rows.slice(0, limit).map(toEntry);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** One entry by id, or undefined. */
export async function findEntry(store: Store, id: number): Promise<AuditLogEntry | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  const row = (await store.models.UserAction.findByPk(id, { raw: true })) as unknown as UserActionRow | null;
  return row ? toEntry(row) : undefined;
}

/** Rows after the cursor; the outer `timestamp <=` lets the timestamp index bound the scan. */
function after({ timestamp, id }: CursorPosition): WhereOptions {
  return { timestamp: { [Op.lte]: timestamp }, [Op.or]: [{ timestamp: { [Op.lt]: timestamp } }, { id: { [Op.lt]: id } }] };
}

function limitOf(limit: number | undefined): number {
  const value = limit ?? DEFAULT_LIMIT;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new AuditTrailError('invalid_query', `limit must be an integer from 1 to ${MAX_LIMIT}; got ${JSON.stringify(limit)}.`);
  }
  return value;
}
