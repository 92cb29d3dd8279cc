import { queryChanges, type ChangeEntry } from '../changes/query-changes.js';
import type { Store } from '../store/store.js';
import type { Columns, Output } from './output.js';
import { printRows } from './output.js';
import { count, text, type CliValues } from './read-options.js';
import { clip } from './table.js';
import { UsageError } from './usage-error.js';

const CHANGE_COLUMNS: Columns<ChangeEntry> = {
  header: ['TIMESTAMP', 'USER', 'OPERATION', 'CHANGES', 'REQUEST ID'],
  cells: (change) => [change.timestamp.toISOString(), clip(change.username, 24), change.operation, clip(JSON.stringify(change.changes), 60), change.requestId ?? '-'],
  empty: 'no recorded changes of this record',
};

/** `audit-trail history <model> <recordId>`: the record's changes, newest first. */
export async function runHistoryCommand(store: Store, [model, recordId]: readonly string[], values: CliValues, output: Output): Promise<number> {
  if (!model || !recordId) throw new UsageError('history needs a model and a record id: audit-trail history Invoice 42');
  const cursor = text(values, 'cursor');
  const page = await queryChanges(store, { model, recordId, limit: count(values, 'limit') ?? 50, ...(cursor ? { cursor } : {}) });
  printRows(page.data, CHANGE_COLUMNS, values.json === true, output);
  if (page.nextCursor) output.note(`more changes: add --cursor ${page.nextCursor}`);
  return 0;
}
