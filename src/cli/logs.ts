import type { AuditLogEntry } from '../query/entry.js';
import { queryLog, type AuditLogPage } from '../query/query.js';
import type { Store } from '../store/store.js';
import type { Columns, Output } from './output.js';
import { printRows } from './output.js';
import { count, filtersFrom, text, type CliValues } from './read-options.js';
import { clip } from './table.js';

const ENTRY_COLUMNS: Columns<AuditLogEntry> = {
  header: ['TIMESTAMP', 'USER', 'ACTION', 'RESOURCE', 'OUTCOME', 'STATUS', 'MS', 'REQUEST ID'],
  cells: (entry) => [
    entry.timestamp.toISOString(),
    clip(entry.username, 24),
    entry.actionType,
    clip(entry.resource, 48),
    entry.outcome,
    String(entry.responseStatus ?? '-'),
    String(entry.durationMs ?? '-'),
    entry.requestId ?? '-',
  ],
  empty: 'no matching audit entries',
};

/** `audit-trail logs`: the newest entries that match, one page at a time. */
export async function runLogsCommand(store: Store, values: CliValues, output: Output): Promise<number> {
  const cursor = text(values, 'cursor');
  const page = await queryLog(store, { ...filtersFrom(values), limit: count(values, 'limit') ?? 50, ...(cursor ? { cursor } : {}) });
  printPage(page, values.json === true, output);
  return 0;
}

/** A page of entries, then where the next one starts, if there is one. */
export function printPage(page: AuditLogPage, json: boolean, output: Output): void {
  printRows(page.data, ENTRY_COLUMNS, json, output);
  if (page.nextCursor) output.note(`more entries: add --cursor ${page.nextCursor}`);
}
