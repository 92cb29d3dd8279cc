import { cutAt, storableText } from './text.js';

/**
 * Longest value stored in each `user_actions` text column. userAgent and
 * errorMessage are TEXT columns, capped anyway so a hostile header or a huge
 * error message cannot bloat the table.
 */
export const COLUMN_LIMITS = Object.freeze({
  userId: 255,
  username: 255,
  actionType: 100,
  resource: 500,
  outcome: 50,
  ipAddress: 45,
  requestId: 100,
  userAgent: 1024,
  errorMessage: 4096,
});

/** Makes a value safe for a column of `max` characters, so one long value can never fail a batch insert. */
export function clip(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  // Cut before cleaning so a multi-megabyte value is never scanned in full.
  return storableText(cutAt(value, max));
}
