import type { Outcome } from '../capture/outcome.js';
import { AuditTrailError } from '../errors.js';
import type { AuditLogFilters } from '../query/filters.js';
import { toInstant } from '../query/time.js';
import { UsageError } from './usage-error.js';

/** The parsed command line, as node:util parseArgs gives it. */
export type CliValues = Record<string, string | boolean | undefined>;

export function text(values: CliValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function count(values: CliValues, name: string): number | undefined {
  const value = text(values, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number; got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A time option as a Date, its errors named after the option the user typed. */
export function time(values: CliValues, name: string): Date | undefined {
  const value = text(values, name);
  try {
    return value === undefined ? undefined : toInstant(value, `--${name}`);
  } catch (error) {
    throw error instanceof AuditTrailError ? new UsageError(error.message) : error;
  }
}

/** `--user`, `--outcome error,permission_denied`, `--since 24h` and the rest, as query filters. */
export function filtersFrom(values: CliValues): AuditLogFilters {
  const filters: AuditLogFilters = {
    username: text(values, 'user'),
    userId: text(values, 'user-id'),
    actionType: text(values, 'action'),
    outcome: text(values, 'outcome')?.split(',') as Outcome[] | undefined,
    resource: text(values, 'resource'),
    requestId: text(values, 'request-id'),
    ip: text(values, 'ip'),
    from: time(values, 'since'),
    to: time(values, 'until'),
    minDurationMs: count(values, 'min-duration'),
    statusCode: count(values, 'status'),
  };
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}
