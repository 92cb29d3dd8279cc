import { createHash, type Hash } from 'node:crypto';
import { CHANGE_COLUMNS } from '../changes/change-columns.js';
import { ROW_TEXT_COLUMNS } from '../writer/row-text.js';
import { jsonbText } from './jsonb-text.js';

/** The tables whose rows the chain covers; a link names the one its batch went to. */
export type ChainedTable = 'user_actions' | 'user_action_changes';

/** One value for each chained table. */
export const perTable = <T>(of: (table: ChainedTable) => T): Record<ChainedTable, T> => ({ user_actions: of('user_actions'), user_action_changes: of('user_action_changes') });

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

/** The canonical columns that the writer fills: all but the first (`id`) and the last (`chain_seq`). */
export const WRITTEN_COLUMNS = perTable((table) => CANONICAL_COLUMNS[table].slice(1, -1));

/** Columns that need more than their own text to be stable: a time in UTC with every microsecond, not the session's zone. */
const POSTGRES_TEXT: Partial<Record<string, string>> = {
  timestamp: `to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

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

/**
 * SQLite's select list for the same values, in the same order. The time is made the text PostgreSQL
 * writes, in UTC to the microsecond (SQLite keeps milliseconds, as the writer gives them to PostgreSQL
 * too); strftime reads any offset the text holds, and gives NULL for text that is no time. The other
 * values are made text by sqliteCanonicalLine().
 */
export const SQLITE_CANONICAL_SELECT = perTable((table) =>
  CANONICAL_COLUMNS[table].map((name, i) => `${name === 'timestamp' ? `strftime('%Y-%m-%dT%H:%M:%f000Z', "timestamp")` : `"${name}"`} AS c${i}`).join(', '),
);

/** The columns stored as JSON: jsonb on PostgreSQL, whose text form the line holds. */
export const JSON_COLUMNS = new Set(['user_roles', 'request_data', 'changes']);

/**
 * A SQLite row's canonical line, from the values of SQLITE_CANONICAL_SELECT: the line PostgreSQL writes
 * for the same row (test K05 compares the two). JSON text is written as jsonb's (jsonb-text.ts); text that
 * is not JSON stays as it is, so that it fails its batch's digest rather than the verifier.
 */
export function sqliteCanonicalLine(table: ChainedTable, values: readonly unknown[]): string {
  const columns = CANONICAL_COLUMNS[table];
  return canonicalLine(
    values.map((value, i) => {
      if (value === null || value === undefined) return null;
      const text = typeof value === 'string' ? value : String(value);
      return JSON_COLUMNS.has(columns[i]!) ? jsonbOf(text) : text;
    }),
  );
}

function jsonbOf(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  return jsonbText(parsed);
}

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
