import type { AuditEvent } from '../capture/event.js';
import { perMillisecond } from '../capture/memo.js';

/**
 * A request's `user_actions` row as JSON text keyed by column name, event_id aside: the form in which a
 * PostgreSQL trail holds it from record() until it is stored. One flat string per row costs the host's
 * thread less than the event object it replaces: the object dies young instead of living a flush interval
 * (old-generation GC), and the hand-off to the writer thread copies one string instead of cloning fourteen
 * values. Request data is JSON text already, so it goes in as it is.
 */
export type RowText = string | LargeRowText;

/** Rows longer than this, in UTF-16 units, are held as UTF-8 bytes: a large body, not a typical request. */
const LARGE_ROW = 16 * 1024;

/**
 * A large row's text held as UTF-8 outside V8's heap. Held as a string, a 60 KB row outlived a scavenge or
 * two while it waited for its batch and its write, and was copied each time, then promoted: at 400 req/s
 * that was most of what auditing added to the host's garbage collection. Its bytes are copied to the
 * writer thread like a string's, and it is written to a spill file as its text.
 */
export class LargeRowText {
  readonly utf8: Uint8Array;

  /** The row's pieces written straight into its bytes: joined first, its text would be one more copy on V8's heap. */
  constructor(pieces: readonly string[]) {
    let bytes = 0;
    for (const piece of pieces) bytes += Buffer.byteLength(piece, 'utf8');
    const utf8 = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const piece of pieces) at += utf8.write(piece, at, 'utf8');
    this.utf8 = utf8;
  }

  toJSON(): string {
    return textOfRow(this);
  }
}

/** The row's JSON text, from either form; on the writer thread a large row arrives as `{ utf8 }`, its class gone. */
export function textOfRow(row: string | { readonly utf8: Uint8Array }): string {
  return typeof row === 'string' ? row : Buffer.from(row.utf8.buffer, row.utf8.byteOffset, row.utf8.byteLength).toString('utf8');
}

/** How much of the queue's byte budget a row takes. */
export function rowTextSize(row: RowText): number {
  return typeof row === 'string' ? row.length : row.utf8.byteLength;
}

/** The columns an event fills, in user_actions' order; the chain's canonical form depends on it (src/integrity/canonical.ts). */
export const ROW_TEXT_COLUMNS = [
  'timestamp',
  'user_id',
  'username',
  'user_roles',
  'action_type',
  'resource',
  'outcome',
  'ip_address',
  'user_agent',
  'request_id',
  'request_data',
  'response_status',
  'error_message',
  'duration_ms',
] as const;

const json = JSON.stringify;
const isoTime = perMillisecond((ms) => new Date(ms).toISOString());
/** What JSON must escape: most values hold none of it, and are quoted as they are (17% of the row's cost). */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;
/** A string as JSON.stringify writes it. */
export const jsonString = (value: string): string => (ESCAPED.test(value) ? json(value) : `"${value}"`);
const text = (value: string | null): string => (value === null ? 'null' : jsonString(value));
const texts = (values: readonly string[]): string => `[${values.map(text).join(',')}]`;
const number = (value: number | null): string => (value !== null && Number.isFinite(value) ? String(value) : 'null');

/**
 * Joined, not concatenated: `+` would leave a rope of some thirty pieces alive until the batch is written.
 * A large row's pieces go straight into its bytes instead (LargeRowText).
 */
export function rowTextOf(e: AuditEvent): RowText {
  const pieces = [
    '{"timestamp":"',
    isoTime(e.timestamp.getTime()),
    '","user_id":',
    text(e.userId),
    ',"username":',
    text(e.username),
    ',"user_roles":',
    texts(e.userRoles),
    ',"action_type":',
    text(e.actionType),
    ',"resource":',
    text(e.resource),
    ',"outcome":',
    text(e.outcome),
    ',"ip_address":',
    text(e.ipAddress),
    ',"user_agent":',
    text(e.userAgent),
    ',"request_id":',
    text(e.requestId),
    ',"request_data":',
    e.requestData ?? 'null',
    ',"response_status":',
    number(e.responseStatus),
    ',"error_message":',
    text(e.errorMessage),
    ',"duration_ms":',
    number(e.durationMs),
    '}',
  ];
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return length > LARGE_ROW ? new LargeRowText(pieces) : pieces.join('');
}

type Row = { [column in (typeof ROW_TEXT_COLUMNS)[number]]: unknown };

/** The event back from its text: for the rare paths that need its fields (a refused row, a log line). */
export function eventOfRowText(text: RowText): AuditEvent {
  const row = JSON.parse(textOfRow(text)) as Row;
  return {
    timestamp: new Date(row.timestamp as string),
    userId: row.user_id as string,
    username: row.username as string,
    userRoles: row.user_roles as string[],
    actionType: row.action_type as string,
    resource: row.resource as string,
    outcome: row.outcome as AuditEvent['outcome'],
    ipAddress: row.ip_address as string | null,
    userAgent: row.user_agent as string | null,
    requestId: row.request_id as string | null,
    requestData: row.request_data === null ? null : json(row.request_data),
    responseStatus: row.response_status as number | null,
    errorMessage: row.error_message as string | null,
    durationMs: row.duration_ms as number | null,
  };
}
