import { POSTGRES_BATCH_DIGEST, POSTGRES_CANONICAL_LINE } from '../integrity/canonical.js';
import type { QueuedEvent } from './queue.js';
import { ROW_TEXT_COLUMNS, type RowText } from './row-text.js';

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
SELECT ${NAMES}, event_id FROM json_populate_recordset(NULL::user_actions, $1::json)
ON CONFLICT DO NOTHING`;

/**
 * The same with the chain on, in one statement and so one transaction: the rows carry a batch number
 * from a sequence in `chain_seq`, PostgreSQL hashes exactly the rows this statement inserted, and
 * audit_trail_chain_append (migration c4d8a2e61f97) takes the chain's lock only to append their link,
 * so that batches insert side by side. It returns the link's seq and hash, or no row when every row
 * was already stored (a retried batch): no link over zero rows.
 */
export const CHAINED_INSERT = `WITH batch AS (SELECT nextval('audit_chain_batch_seq') AS batch),
stored AS (
  INSERT INTO user_actions (${NAMES}, event_id, chain_seq)
  SELECT ${NAMES}, event_id, (SELECT batch FROM batch) FROM json_populate_recordset(NULL::user_actions, $1::json)
  ON CONFLICT DO NOTHING
  RETURNING id, ${POSTGRES_CANONICAL_LINE} AS line),
digest AS (SELECT count(*) AS row_count, min(id) AS first_id, max(id) AS last_id, ${POSTGRES_BATCH_DIGEST} AS digest FROM stored)
SELECT link.seq::text, link.hash FROM batch, digest, audit_trail_chain_append(batch.batch, digest.row_count, digest.first_id, digest.last_id, digest.digest) AS link`;

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
