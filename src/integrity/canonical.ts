import { createHash, type Hash } from 'node:crypto';
import { CHANGE_COLUMNS } from '../changes/change-columns.js';
import { ROW_TEXT_COLUMNS } from '../writer/row-text.js';

/** The tables whose rows the chain covers; a link names the one its batch went to. */
export type ChainedTable = 'user_actions' | 'user_action_changes';

/**
 * The canonical serialization of a stored row of each chained table (docs/integrity.md, "Canonical form").
 * Every stored column, in the table's order (id, the columns the writer fills, chain_seq), as text:
 * what the SQL below makes of it, or null for NULL.
 * Changing the order or an expression breaks every chain already written: add a version instead.
 */
const CANONICAL_COLUMNS: Record<ChainedTable, readonly string[]> = {
  user_actions: ['id', ...ROW_TEXT_COLUMNS, 'event_id', 'chain_seq'],
  user_action_changes: ['id', ...CHANGE_COLUMNS, 'chain_seq'],
};

/** Columns that need more than their own text to be stable: a time in UTC with every microsecond, not the session's zone. */
const POSTGRES_TEXT: Partial<Record<string, string>> = {
  timestamp: `to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

const perTable = (sql: (table: ChainedTable) => string) => ({ user_actions: sql('user_actions'), user_action_changes: sql('user_action_changes') });

/**
 * PostgreSQL's select list for the canonical values, each as text whatever the session's settings
 * (jsonb's text form is already canonical). The writer RETURNs it; the verifier SELECTs it.
 */
export const POSTGRES_CANONICAL_SELECT = perTable((table) => CANONICAL_COLUMNS[table].map((name) => POSTGRES_TEXT[name] ?? `"${name}"::text`).join(', '));

/**
 * A row's canonical line (without its newline) written by PostgreSQL: array_to_json writes a text array
 * as JSON.stringify does (no spaces, the same escapes). Schema-qualified, so that no function on the
 * search_path stands in for it. The writer hashes these lines in the database, in its INSERT; the
 * verifier reads them (they cost PostgreSQL less to send than the values) and hashes them itself.
 */
export const POSTGRES_CANONICAL_LINE = perTable((table) => `pg_catalog.array_to_json(ARRAY[${POSTGRES_CANONICAL_SELECT[table]}])::text`);
/** A batch's digest, as BatchDigest computes it, over a relation `stored(id, line)` of POSTGRES_CANONICAL_LINE. */
export const POSTGRES_BATCH_DIGEST = `encode(sha256(convert_to(string_agg(line || E'\\n', '' ORDER BY id), 'UTF8')), 'hex')`;

/** One row's line: the JSON array of its canonical values, then a newline. */
export function canonicalLine(values: ReadonlyArray<string | null>): string {
  return `${JSON.stringify(values)}\n`;
}

/** A batch's digest: SHA-256, in hex, over its rows' lines in ascending id order. */
export class BatchDigest {
  private readonly hash: Hash = createHash('sha256');
  count = 0;

  add(values: ReadonlyArray<string | null>): void {
    this.addLine(canonicalLine(values));
  }

  /** A line as canonicalLine() makes it, newline included. */
  addLine(line: string): void {
    this.hash.update(line);
    this.count++;
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}
