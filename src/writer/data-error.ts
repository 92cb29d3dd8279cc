/** SQLite result codes that mean "this row", not "this connection". */
const SQLITE_DATA_CODES = new Set(['SQLITE_CONSTRAINT', 'SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_RANGE']);

/**
 * True when a write failed because of what was in it (one bad row), so retrying the same batch can
 * never succeed; false for connection-class failures, which are worth retrying as they are.
 * PostgreSQL SQLSTATE classes 22 (data exception) and 23 (integrity constraint) are data errors.
 * A TypeError or RangeError is thrown by our own serialization (a BigInt, a circular value).
 */
export function isDataError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = codeOf(error);
  if (code === undefined) return false;
  return /^2[23][0-9A-Z]{3}$/.test(code) || SQLITE_DATA_CODES.has(code);
}

function codeOf(error: unknown): string | undefined {
  // Sequelize wraps the driver's error as `original` (and `parent`); a raw pg error carries `code` itself.
  const wrapped = error as { original?: { code?: unknown }; code?: unknown } | undefined;
  const code = wrapped?.original?.code ?? wrapped?.code;
  return typeof code === 'string' ? code : undefined;
}
