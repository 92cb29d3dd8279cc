import { POSTGRES_BATCH_DIGEST, POSTGRES_CANONICAL_LINE, type ChainedTable } from './canonical.js';
import { batchRows } from '../store/batch-rows.js';

/**
 * A batch's INSERT with the chain on, in one statement and so one transaction: the rows (`columns`, from
 * the JSON array in $1, as the plain INSERT takes them, or the relation `rows` that has them) carry a batch number from a sequence in
 * `chain_seq`, PostgreSQL hashes exactly the rows this statement inserted, and audit_trail_chain_append
 * (migrations c4d8a2e61f97, 8b3f1d6e2a95) takes the chain's lock only to append their link, naming the
 * table, so that batches insert side by side. It returns the link's seq and hash, or no row when every
 * row was already stored (a retried batch): no link over zero rows.
 */
export function chainedInsert(table: ChainedTable, columns: string, rows = batchRows(table)): string {
  return `WITH batch AS (SELECT nextval('audit_chain_batch_seq') AS batch),
stored AS (
  INSERT INTO ${table} (${columns}, chain_seq)
  SELECT ${columns}, (SELECT batch FROM batch) FROM ${rows}
  ON CONFLICT DO NOTHING
  RETURNING id, ${POSTGRES_CANONICAL_LINE[table]} AS line),
digest AS (SELECT count(*) AS row_count, min(id) AS first_id, max(id) AS last_id, ${POSTGRES_BATCH_DIGEST} AS digest FROM stored)
SELECT link.seq::text, link.hash FROM batch, digest, audit_trail_chain_append(batch.batch, digest.row_count, digest.first_id, digest.last_id, digest.digest, '${table}') AS link`;
}
