import type { AuditLogEntry } from '../query/entry.js';
import { queryLog } from '../query/query.js';
import type { Store } from '../trail.js';
import type { Columns, Output } from './output.js';
import { printRows } from './output.js';
import { count, filtersFrom, text, type CliValues } from './read-options.js';
import { clip } from './table.js';

export const ENTRY_COLUMNS: Columns<AuditLogEntry> = {
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
  printRows(page.data, ENTRY_COLUMNS, values.json === true, output);
  if (page.nextCursor) output.note(`more entries: add --cursor ${page.nextCursor}`);
  return 0;
}
