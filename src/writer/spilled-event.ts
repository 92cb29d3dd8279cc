import type { AuditEvent } from '../capture/event.js';

/**
 * An event as read back from a spill line. Lines written before `requestData` became JSON text hold it
 * as an object: it is turned into the text it would have been, so that they replay like new ones.
 */
export function revive(event: AuditEvent): AuditEvent {
  const { requestData } = event as { requestData: unknown };
  return {
    ...event,
    timestamp: new Date(event.timestamp),
    requestData: typeof requestData === 'string' || requestData === null || requestData === undefined ? (requestData ?? null) : JSON.stringify(requestData),
  };
}
