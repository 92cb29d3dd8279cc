import { POSTGRES_CANONICAL_SELECT } from '../integrity/canonical.js';
import type { QueuedEvent } from './queue.js';
import { ROW_TEXT_COLUMNS, type RowText } from './row-text.js';

const NAMES = ROW_TEXT_COLUMNS.join(', ');

/**
 * One statement and one parameter per batch, whatever its size: a JSON array of rows that PostgreSQL
 * expands into rows of the table's own type. Each row is the text record() made (row-text.ts), so the
 * writer thread only joins them; bench/writer.ts measured this against unnest arrays, COPY and
 * bulkCreate. COPY cannot skip rows already stored.
 */
export const INSERT = `INSERT INTO user_actions (${NAMES}, event_id)
SELECT ${NAMES}, event_id FROM json_populate_recordset(NULL::user_actions, $1::json)
ON CONFLICT (event_id) DO NOTHING`;

/**
 * The same with the chain on: each row carries its batch's `chain_seq` ($2), and the statement returns
 * the canonical values of exactly the rows it inserted, for the batch's digest (src/integrity/).
 */
export const CHAINED_INSERT = `INSERT INTO user_actions (${NAMES}, event_id, chain_seq)
SELECT ${NAMES}, event_id, $2::bigint FROM json_populate_recordset(NULL::user_actions, $1::json)
ON CONFLICT (event_id) DO NOTHING
RETURNING ${POSTGRES_CANONICAL_SELECT}`;

/** A write that hangs (a silent network cut) must end, so that the batch can be retried or spilled. */
export const WRITE_TIMEOUT_MS = 15_000;

/** On the host's thread: a batch as the worker receives it, each event id followed by its row's text. */
export function idsAndRowsOf(entries: readonly QueuedEvent<RowText>[]): string[] {
  const flat: string[] = [];
  for (const { id, event } of entries) flat.push(id, event);
  return flat;
}

/** On the writer thread: the batch as the statement's one parameter, each row given its event id. */
export function documentOf(idsAndRows: readonly string[]): string {
  const rows: string[] = [];
  for (let i = 0; i < idsAndRows.length; i += 2) rows.push(`{"event_id":${JSON.stringify(idsAndRows[i])},${idsAndRows[i + 1]!.slice(1)}`);
  return `[${rows.join(',')}]`;
}

/** Told of every INSERT, which bypasses Sequelize's query hooks. */
export type QueryReport = (statement: string, durationMs: number, failed: boolean) => void;
