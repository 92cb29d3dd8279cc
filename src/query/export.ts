import type { Store } from '../trail.js';
import { csvLine } from './csv.js';
import type { AuditLogEntry } from './entry.js';
import type { AuditLogFilters } from './filters.js';
import { MAX_LIMIT, queryLog } from './query.js';

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
 * none is repeated or skipped. Nothing is read until the consumer asks, so a slow client slows the reads.
 */
export async function* exportLog(store: Store, filters: AuditLogFilters, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield csvLine(CSV_COLUMNS);
  let cursor: string | undefined;
  do {
    const page = await queryLog(store, { ...filters, limit: MAX_LIMIT, ...(cursor === undefined ? {} : { cursor }) });
    if (page.data.length > 0) yield page.data.map(format === 'csv' ? csvRow : jsonLine).join('');
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

function csvRow(entry: AuditLogEntry): string {
  return csvLine(CSV_COLUMNS.map((column) => entry[column]));
}

function jsonLine(entry: AuditLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
