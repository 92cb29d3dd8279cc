import type { AuditEvent } from '../capture/event.js';
import type { UserActionRow } from './models.js';

export function toRow(event: AuditEvent): UserActionRow {
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
    request_data: event.requestData ?? null,
    response_status: event.responseStatus,
    error_message: event.errorMessage,
    duration_ms: event.durationMs,
  };
}
