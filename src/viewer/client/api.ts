/** The audit-log API, which lives where the viewer's script was loaded from: `<mount>/viewer/app.js`. */
const API_BASE = new URL('..', import.meta.url);

export interface Entry {
  id: number;
  timestamp: string;
  userId: string | null;
  username: string | null;
  userRoles: string[];
  actionType: string;
  resource: string;
  outcome: 'success' | 'error' | 'permission_denied';
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  requestData: unknown;
  responseStatus: number | null;
  errorMessage: string | null;
  durationMs: number | null;
  eventId: string | null;
}

/** One data change a request made (`GET <mount>/:eventId/changes`). */
export interface Change {
  id: number;
  timestamp: string;
  model: string;
  recordId: string | null;
  operation: string;
  changes: unknown;
}

export interface Page {
  data: Entry[];
  nextCursor: string | null;
}

export interface TimelineBucket {
  bucket: string;
  events: number;
  errors: number;
  denied: number;
}

export interface SlowOperation {
  actionType: string;
  avgDurationMs: number;
  maxDurationMs: number;
  count: number;
}

/** A URL under the API, e.g. `apiUrl('reports/slow', params)`. */
export function apiUrl(path: string, params?: URLSearchParams): string {
  const url = new URL(path, API_BASE);
  if (params) url.search = params.toString();
  return url.toString();
}

/** GET as JSON; an API error becomes an Error carrying the API's own message. */
export async function getJson<T>(path: string, params?: URLSearchParams): Promise<T> {
  const response = await fetch(apiUrl(path, params), { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!response.ok) throw new Error(body?.error?.message ?? `the audit-log API answered ${response.status}`);
  return body as T;
}
