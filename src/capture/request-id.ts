import { randomUUID } from 'node:crypto';

// Anything else could smuggle log-injection payloads or oversized values into the audit row.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The incoming X-Request-ID if it is safe to store, else a fresh UUID v4. */
export function resolveRequestId(header: string | string[] | undefined): string {
  const incoming = Array.isArray(header) ? header[0] : header;
  return incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
