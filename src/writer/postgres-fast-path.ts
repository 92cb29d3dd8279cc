import type { AuditEvent } from '../capture/event.js';
import { POSTGRES_BATCH_DIGEST, POSTGRES_CANONICAL_LINE } from '../integrity/canonical.js';
import type { QueuedEvent } from './queue.js';

/**
 * Each column but event_id: how the host's thread reads it from an event (a plain value, which structured
 * cloning copies cheaply), and how the writer thread writes that value as JSON, where JSON.stringify
 * would not do.
 */
type Column = readonly [name: string, read: (event: AuditEvent) => unknown, json?: (value: never) => string];

export const COLUMNS: readonly Column[] = [
  ['timestamp', (e) => e.timestamp.getTime(), (ms: number) => `"${new Date(ms).toISOString()}"`],
  ['user_id', (e) => e.userId],
  ['username', (e) => e.username],
  ['user_roles', (e) => e.userRoles],
  ['action_type', (e) => e.actionType],
  ['resource', (e) => e.resource],
  ['outcome', (e) => e.outcome],
  ['ip_address', (e) => e.ipAddress],
  ['user_agent', (e) => e.userAgent],
  ['request_id', (e) => e.requestId],
  ['request_data', (e) => e.requestData, (data: string | null) => data ?? 'null'],
  ['response_status', (e) => e.responseStatus],
  ['error_message', (e) => e.errorMessage],
  ['duration_ms', (e) => e.durationMs],
];

const NAMES = COLUMNS.map(([name]) => name).join(', ');

/**
 * One statement and one parameter per batch, whatever its size: a JSON array of rows that PostgreSQL
 * expands into rows of the table's own type. Request data is already JSON text, so it goes into the
 * document as it is, with no escaping on either side; bench/writer.ts measured this against unnest
 * arrays, COPY and bulkCreate. COPY cannot skip rows already stored. The conflict names no index: the
 * unique key is (event_id) on a plain table and (event_id, "timestamp") on a partitioned one, and a
 * retried or replayed event carries its first timestamp, so either key finds it.
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

/** On the host's thread: one event as the worker receives it, its values in COLUMNS order, then its event id. */
export function rowOf({ id, event }: QueuedEvent): unknown[] {
  const row = COLUMNS.map(([, read]) => read(event));
  row.push(id);
  return row;
}

/** Each row's JSON text up to its first value: `{"timestamp":`, then `,"user_id":`, … and last `,"event_id":`. */
const KEYS = [...COLUMNS.map(([name]) => name), 'event_id'].map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
/** How each of a row's values, event id last, is written as JSON. */
const ENCODERS: ReadonlyArray<(value: never) => string> = [...COLUMNS.map(([, , json]) => json ?? JSON.stringify), JSON.stringify];

/** On the writer thread: the batch as the statement's one parameter. */
export function documentOf(rows: readonly unknown[][]): string {
  const parts: string[] = [];
  for (const row of rows) {
    let text = '';
    for (let column = 0; column < KEYS.length; column++) text += KEYS[column] + ENCODERS[column]!(row[column] as never);
    parts.push(`${text}}`);
  }
  return `[${parts.join(',')}]`;
}

/** Told of every INSERT, which bypasses Sequelize's query hooks. */
export type QueryReport = (statement: string, durationMs: number, failed: boolean) => void;
