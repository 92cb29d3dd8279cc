import type { Store } from '../store/store.js';
import { csvLine } from './csv.js';
import type { AuditLogEntry } from './entry.js';
import type { AuditLogFilters } from './filters.js';
import { MAX_LIMIT, queryLog, type AuditLogPage } from './query.js';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The columns of a CSV export, in order; JSONL carries the entries whole. */
const CSV_COLUMNS = [
  'id',
  'timestamp',
  'userId',
  'username',
  'userRoles',
  'actionType',
  'resource',
  'outcome',
  'responseStatus',
  'durationMs',
  'ipAddress',
  'userAgent',
  'requestId',
  'errorMessage',
  'requestData',
] as const satisfies ReadonlyArray<keyof AuditLogEntry>;

/**
 * Every row the filters select, newest first, as text chunks of one page each. Keyset pages keep memory
 * flat however many rows match, and rows written during the export land before the first cursor, so
 * none is repeated or skipped. The first page is read before this resolves, so bad filters fail as a
 * request error rather than a cut-off download; later pages are read only as the consumer asks, so a
 * slow client slows the reads.
 */
export async function exportLog(store: Store, filters: AuditLogFilters, format: ExportFormat): Promise<AsyncIterable<string>> {
  const first = await pageAfter(store, filters, undefined);
  return chunks(store, filters, format, first);
}

async function* chunks(store: Store, filters: AuditLogFilters, format: ExportFormat, first: AuditLogPage): AsyncGenerator<string> {
  if (format === 'csv') yield csvLine(CSV_COLUMNS);
  for (let page = first; ; page = await pageAfter(store, filters, page.nextCursor)) {
    if (page.data.length > 0) yield page.data.map(format === 'csv' ? csvRow : jsonLine).join('');
    if (page.nextCursor === null) return;
  }
}

function pageAfter(store: Store, filters: AuditLogFilters, cursor: string | null | undefined): Promise<AuditLogPage> {
  return queryLog(store, { ...filters, limit: MAX_LIMIT, ...(cursor ? { cursor } : {}) });
}

function csvRow(entry: AuditLogEntry): string {
  return csvLine(CSV_COLUMNS.map((column) => entry[column]));
}

function jsonLine(entry: AuditLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
