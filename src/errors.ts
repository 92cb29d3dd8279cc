/** Every failure the package reports on purpose has one of these codes. */
export type AuditTrailErrorCode =
  | 'invalid_option'
  | 'connection_failed'
  | 'migration_failed'
  | 'driver_missing'
  | 'closed'
  | 'invalid_query';

export class AuditTrailError extends Error {
  override readonly name = 'AuditTrailError';
  readonly code: AuditTrailErrorCode;

  constructor(code: AuditTrailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The message of whatever was thrown, for logs and error columns. */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  return typeof thrown === 'string' ? thrown : String(thrown);
}
