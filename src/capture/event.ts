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
  requestData: unknown;
  responseStatus: number | null;
  errorMessage: string | null;
  durationMs: number | null;
}
