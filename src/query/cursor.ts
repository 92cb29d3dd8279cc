import { AuditTrailError } from '../errors.js';
import { isStorableInstant } from './time.js';

/** Where a page ended: the last row's sort key, on (timestamp DESC, id DESC). */
export interface CursorPosition {
  readonly timestamp: Date;
  readonly id: number;
}

/** Opaque to callers: base64url JSON, so it survives a query string unescaped. */
export function encodeCursor({ timestamp, id }: CursorPosition): string {
  return Buffer.from(JSON.stringify({ t: timestamp.toISOString(), i: id })).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const { t, i } = (decoded ?? {}) as { t?: unknown; i?: unknown };
  const timestamp = typeof t === 'string' ? new Date(t) : undefined;
  if (!timestamp || !isStorableInstant(timestamp) || !Number.isSafeInteger(i) || (i as number) < 1) throw badCursor();
  return { timestamp, id: i as number };
}

function badCursor(): AuditTrailError {
  return new AuditTrailError('invalid_query', 'cursor is not one this API returned: pass nextCursor from a previous page unchanged.');
}
