import type { AuditEvent } from '../capture/event.js';

/** What an event costs beyond its text: the object, its Date, numbers and pointers. */
const EVENT_OVERHEAD = 200;
/** What a value costs beyond its text inside requestData: a number, a pointer, an object header. */
const VALUE_OVERHEAD = 16;
/** Deeper than any sanitized request data, and a stop for a cyclic object handed to record() directly. */
const MAX_DEPTH = 32;

/**
 * About what an event holds in memory, counted in characters: the lengths of its strings plus a small fixed
 * cost per value. requestData's text dominates; when it is already serialized JSON it is one string, and
 * otherwise its keys and values are walked. Cheap enough to run on every record(): no serialization.
 */
export function eventBytes(event: AuditEvent): number {
  try {
    let bytes = EVENT_OVERHEAD + dataBytes(event.requestData, 0);
    for (const text of [event.userId, event.username, event.actionType, event.resource, event.ipAddress, event.userAgent, event.requestId, event.errorMessage]) {
      bytes += text?.length ?? 0;
    }
    for (const role of event.userRoles) bytes += VALUE_OVERHEAD + role.length;
    return bytes;
  } catch {
    return EVENT_OVERHEAD; // an odd event handed to record() directly must not make record() throw
  }
}

function dataBytes(value: unknown, depth: number): number {
  if (typeof value === 'string') return VALUE_OVERHEAD + value.length;
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return VALUE_OVERHEAD;
  let bytes = VALUE_OVERHEAD;
  if (Array.isArray(value)) {
    for (const item of value) bytes += dataBytes(item, depth + 1);
  } else {
    for (const key in value) bytes += key.length + dataBytes((value as Record<string, unknown>)[key], depth + 1);
  }
  return bytes;
}
