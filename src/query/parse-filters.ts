import type { Outcome } from '../capture/outcome.js';
import { AuditTrailError } from '../errors.js';
import type { AuditLogFilters } from './filters.js';
import { toInstant } from './time.js';

export type FilterName = keyof AuditLogFilters;

const TEXT: readonly FilterName[] = ['userId', 'username', 'actionType', 'resource', 'route', 'requestId', 'ip'];
const COUNTS: readonly FilterName[] = ['minDurationMs', 'statusCode'];
const TIMES: readonly FilterName[] = ['from', 'to'];
export const FILTER_NAMES: readonly FilterName[] = [...TEXT, 'outcome', 'ignoreCase', ...TIMES, ...COUNTS];

/**
 * Filters typed as text (a query string, a command line) → typed filters. `read` gives a filter's text
 * or undefined; `spelled` names it as the user typed it, for the error message.
 */
export function parseFilters(read: (name: FilterName) => string | undefined, spelled: (name: FilterName) => string = String): AuditLogFilters {
  const filters: Record<string, unknown> = {};
  for (const name of FILTER_NAMES) {
    const value = read(name);
    if (value === undefined) continue;
    if (COUNTS.includes(name)) filters[name] = wholeNumber(spelled(name), value);
    else if (TIMES.includes(name)) filters[name] = toInstant(value, spelled(name));
    else if (name === 'ignoreCase') filters[name] = flag(spelled(name), value);
    else if (name === 'outcome') filters[name] = value.split(',').map((outcome) => outcome.trim()) as Outcome[];
    else filters[name] = value;
  }
  return filters as AuditLogFilters;
}

function flag(name: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new AuditTrailError('invalid_query', `${name} must be true or false; got ${JSON.stringify(value)}.`);
  return value === 'true';
}

export function wholeNumber(name: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new AuditTrailError('invalid_query', `${name} must be a whole number; got ${JSON.stringify(value)}.`);
  return Number(value);
}
