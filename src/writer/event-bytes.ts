import type { AuditEvent } from '../capture/event.js';

/** What an event costs beyond its text: the object, its Date, numbers and pointers. */
const EVENT_OVERHEAD = 200;

/**
 * About what an event holds in memory, counted in characters: the lengths of its strings plus a fixed cost.
 * requestData, already JSON text, dominates. Cheap enough to run on every record(): no serialization.
 */
export function eventBytes(event: AuditEvent): number {
  let bytes = EVENT_OVERHEAD + lengthOf(event.requestData) + lengthOf(event.userId) + lengthOf(event.username) + lengthOf(event.actionType);
  bytes += lengthOf(event.resource) + lengthOf(event.ipAddress) + lengthOf(event.userAgent) + lengthOf(event.requestId) + lengthOf(event.errorMessage);
  for (const role of event.userRoles ?? []) bytes += role.length;
  return bytes;
}

const lengthOf = (text: string | null | undefined): number => text?.length ?? 0;
