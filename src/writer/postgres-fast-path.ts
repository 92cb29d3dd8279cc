import { chainedInsert } from '../integrity/chained-insert.js';
import { batchRows } from '../store/batch-rows.js';
import type { QueuedEvent } from './queue.js';
import { ROW_TEXT_COLUMNS, textOfRow, type RowText } from './row-text.js';
import type { IdsAndRows } from './worker/protocol.js';

const NAMES = ROW_TEXT_COLUMNS.join(', ');

/**
 * One statement and one parameter per batch, whatever its size: a JSON array of rows that PostgreSQL
 * expands into rows of the table's own type. Each row is the text record() made (row-text.ts), so the
 * writer thread only joins them; bench/writer.ts measured this against unnest arrays, COPY and
 * bulkCreate. COPY cannot skip rows already stored. The conflict names no index: the unique key is
 * (event_id) on a plain table and (event_id, "timestamp") on a partitioned one, and a retried or
 * replayed event carries its first timestamp, so either key finds it.
 */
export const INSERT = `INSERT INTO user_actions (${NAMES}, event_id)
SELECT ${NAMES}, event_id FROM ${batchRows('user_actions')}
ON CONFLICT DO NOTHING`;

/** The same with the chain on: the batch's new rows and their link, in one statement (src/integrity/chained-insert.ts). */
export const CHAINED_INSERT = chainedInsert('user_actions', `${NAMES}, event_id`);

/** A write that hangs (a silent network cut) must end, so that the batch can be retried or spilled. */
export const WRITE_TIMEOUT_MS = 15_000;

/** On the host's thread: a batch as the worker receives it, each event id followed by its row's text. */
export function idsAndRowsOf(entries: readonly QueuedEvent<RowText>[]): IdsAndRows {
  const flat: IdsAndRows = [];
  for (const { id, event } of entries) flat.push(id, event);
  return flat;
}

/** On the writer thread: the batch as the statement's one parameter, each row given its event id. */
export function documentOf(idsAndRows: IdsAndRows): string {
  const rows: string[] = [];
  for (let i = 0; i < idsAndRows.length; i += 2) rows.push(`{"event_id":${JSON.stringify(idsAndRows[i])},${textOfRow(idsAndRows[i + 1]!).slice(1)}`);
  return `[${rows.join(',')}]`;
}

/** Told of every INSERT, which bypasses Sequelize's query hooks. */
export type QueryReport = (statement: string, durationMs: number, failed: boolean) => void;
