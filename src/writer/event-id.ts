import { randomUUID } from 'node:crypto';
import { perMillisecond } from '../capture/memo.js';

/**
 * A UUID v7: 48 bits of milliseconds, then random bits. Time-ordered ids land at the right edge of the
 * unique index instead of on random pages, which keeps that index cheap to maintain on PostgreSQL.
 */
export function newEventId(now = Date.now()): string {
  // randomUUID() is a v4 whose variant bits we keep; only the time and the version digit change.
  return timePart(now) + randomUUID().slice(15);
}

const timePart = perMillisecond((ms) => {
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
});
