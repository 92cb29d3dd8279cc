import { formatTable } from './table.js';

export interface Output {
  readonly out: (line: string) => void;
  /** Hints that are not data, such as the next page's cursor: stderr, so piped output stays clean. */
  readonly note: (line: string) => void;
}

export interface Columns<T> {
  readonly header: readonly string[];
  readonly cells: (row: T) => string[];
  /** What to print when there are no rows. */
  readonly empty: string;
}

/** Rows as a readable table, or one JSON object per line when `json` is set. */
export function printRows<T>(rows: readonly T[], columns: Columns<T>, json: boolean, { out }: Output): void {
  if (json) for (const row of rows) out(JSON.stringify(row));
  else if (rows.length === 0) out(columns.empty);
  else for (const line of formatTable(columns.header, rows.map(columns.cells))) out(line);
}
