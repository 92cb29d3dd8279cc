/** What a route answers a client with when the request itself is at fault; src/http/errors.ts gives each its status. */
export type RequestErrorCode = 'invalid_body' | 'invalid_query' | 'invalid_id' | 'not_found' | 'unauthenticated' | 'forbidden' | 'payload_too_large' | 'unsupported_media_type';

/** Every failure the package reports on purpose has one of these codes. */
export type AuditTrailErrorCode = 'invalid_option' | 'connection_failed' | 'migration_failed' | 'driver_missing' | 'peer_missing' | 'closed' | RequestErrorCode;

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
