import { parseFilters, wholeNumber, type FilterName } from '../query/parse-filters.js';
import type { AuditLogFilters } from '../query/filters.js';
import { toInstant } from '../query/time.js';

/** The parsed command line, as node:util parseArgs gives it. */
export type CliValues = Record<string, string | boolean | undefined>;

export function text(values: CliValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function count(values: CliValues, name: string): number | undefined {
  const value = text(values, name);
  return value === undefined ? undefined : wholeNumber(`--${name}`, value);
}

/** A time option as a Date, its errors named after the option the user typed. */
export function time(values: CliValues, name: string): Date | undefined {
  const value = text(values, name);
  return value === undefined ? undefined : toInstant(value, `--${name}`);
}

/** How each filter is spelled on the command line. */
const OPTION_OF: Record<FilterName, string> = {
  username: 'user',
  userId: 'user-id',
  actionType: 'action',
  outcome: 'outcome',
  resource: 'resource',
  route: 'route',
  ignoreCase: 'ignore-case',
  requestId: 'request-id',
  ip: 'ip',
  from: 'since',
  to: 'until',
  minDurationMs: 'min-duration',
  statusCode: 'status',
};

/** `--user`, `--outcome error,permission_denied`, `--since 24h` and the rest, as query filters. */
export function filtersFrom(values: CliValues): AuditLogFilters {
  // --ignore-case is a flag: present means true.
  const read = (name: FilterName) => (values[OPTION_OF[name]] === true ? 'true' : text(values, OPTION_OF[name]));
  return parseFilters(read, (name) => `--${OPTION_OF[name]}`);
}
