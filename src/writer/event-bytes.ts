import type { AuditEvent } from '../capture/event.js';

/** What an event costs beyond its text: the object, its Date, numbers and pointers. */
const EVENT_OVERHEAD = 200;

/**
 * About what an event holds in memory, counted in characters: the lengths of its strings plus a fixed cost.
 * requestData, already JSON text, dominates. Cheap enough to run on every record(): no serialization.
 */
export function eventBytes(event: AuditEvent): number {
  let bytes = EVENT_OVERHEAD;
  for (const text of [event.requestData, event.userId, event.username, event.actionType, event.resource, event.ipAddress, event.userAgent, event.requestId, event.errorMessage]) {
    bytes += text?.length ?? 0;
  }
  for (const role of event.userRoles ?? []) bytes += role.length;
  return bytes;
}
