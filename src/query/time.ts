import { AuditTrailError } from '../errors.js';

/** A moment: a Date, an ISO 8601 string, or a duration back from now such as `30s`, `15m`, `24h` or `365d`. */
export type TimeArgument = Date | string;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(s|m|h|d)$/;
// A date, optionally with a time; Date.parse alone would also take "March 7" or "1".
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `30s`, `15m`, `24h` or `365d` in milliseconds; `name` is the option, for the error message. */
export function durationMs(value: string, name: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw invalid(name, value, 'a duration such as 30s, 15m, 24h or 365d');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * The instants every store takes: four-digit years. PostgreSQL refuses year 0, and a duration such as
 * `99999999999d` lands beyond what a Date can hold; either would otherwise fail inside the query as a 500.
 */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** The moment a time argument names; durations count back from `now`. */
export function toInstant(value: TimeArgument, name: string, now: Date = new Date()): Date {
  return inRange(parseInstant(value, name, now), name, value);
}

/** True for an instant a query may compare against. */
export function isStorableInstant(instant: Date): boolean {
  const time = instant.getTime();
  return time >= EARLIEST && time <= LATEST;
}

function parseInstant(value: TimeArgument, name: string, now: Date): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(name, 'Invalid Date', 'a valid Date');
    return value;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (DURATION.test(text)) return new Date(now.getTime() - durationMs(text, name));
    const parsed = ISO_8601.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isNaN(parsed)) return new Date(parsed);
  }
  throw invalid(name, value, 'a Date, an ISO 8601 timestamp, or a duration such as 30s, 15m, 24h or 365d');
}

function inRange(instant: Date, name: string, value: TimeArgument): Date {
  if (isStorableInstant(instant)) return instant;
  throw invalid(name, value instanceof Date ? 'a Date out of range' : value, 'between 0001-01-01 and 9999-12-31');
}

function invalid(name: string, value: unknown, expected: string): AuditTrailError {
  return new AuditTrailError('invalid_query', `${name} must be ${expected}; got ${JSON.stringify(String(value))}.`);
}
