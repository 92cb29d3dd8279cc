import type { AuditEvent } from '../capture/event.js';
import type { Outcome } from '../capture/outcome.js';
import type { UserActionRow } from '../store/models.js';

/** One stored `user_actions` row as readers see it: the recorded event, camelCase, with its id and requestData parsed. */
export interface AuditLogEntry extends Omit<AuditEvent, 'requestData'> {
  id: number;
  requestData: unknown;
  /** The id the writer gave the event: what its data changes (`changes({ eventId })`) point to. Null for rows older than event ids. */
  eventId: string | null;
}

/** SQLite hands JSON columns back as text; PostgreSQL's JSONB arrives parsed. */
export function parsedJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export function toEntry(row: UserActionRow): AuditLogEntry {
  return {
    id: Number(row.id),
    timestamp: new Date(row.timestamp),
    userId: row.user_id,
    username: row.username,
    userRoles: parsedJson(row.user_roles) as string[],
    actionType: row.action_type,
    resource: row.resource,
    outcome: row.outcome as Outcome,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    requestId: row.request_id,
    requestData: parsedJson(row.request_data) ?? null,
    responseStatus: row.response_status,
    errorMessage: row.error_message,
    durationMs: row.duration_ms,
    eventId: row.event_id ?? null,
  };
}
