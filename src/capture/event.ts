import type { Outcome } from './outcome.js';

/** One audited request, ready to store: every column of `user_actions` but the id. */
export interface AuditEvent {
  timestamp: Date;
  userId: string;
  username: string;
  userRoles: string[];
  actionType: string;
  resource: string;
  outcome: Outcome;
  ipAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** JSON text of `{ query, route, body[, truncated] }`, written once when the request finishes. */
  requestData: string | null;
  responseStatus: number | null;
  errorMessage: string | null;
  durationMs: number | null;
}
