import type { AuditEvent } from '../capture/event.js';
import type { UserActionRow } from './models.js';

/** `eventId` makes the row idempotent: a retried or replayed insert of the same event is skipped. */
export function toRow(event: AuditEvent, eventId: string): UserActionRow {
  return {
    timestamp: event.timestamp,
    user_id: event.userId,
    username: event.username,
    user_roles: event.userRoles,
    action_type: event.actionType,
    resource: event.resource,
    outcome: event.outcome,
    ip_address: event.ipAddress,
    user_agent: event.userAgent,
    request_id: event.requestId,
    // Sequelize's JSON type serializes what it is given, so the stored text goes back to a value here.
    request_data: event.requestData === null ? null : JSON.parse(event.requestData),
    response_status: event.responseStatus,
    error_message: event.errorMessage,
    duration_ms: event.durationMs,
    event_id: eventId,
  };
}
