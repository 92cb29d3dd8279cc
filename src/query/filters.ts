import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { Outcome } from '../capture/outcome.js';
import { AuditTrailError } from '../errors.js';
import type { UserActionRow } from '../store/models.js';
import { toInstant, type TimeArgument } from './time.js';

const OUTCOMES: readonly Outcome[] = ['success', 'error', 'permission_denied'];

/** What `query()` can select on; every filter is optional and they combine with AND. */
export interface AuditLogFilters {
  userId?: string;
  username?: string;
  actionType?: string;
  /** One outcome or several. */
  outcome?: Outcome | readonly Outcome[];
  /** An exact path, or a prefix when it ends in `*`: `/authors/*`. */
  resource?: string;
  /** The route template the framework matched, as recorded (`/authors/:id`), or a prefix ending in `*`. */
  route?: string;
  /** Compare `resource` and `route` case-insensitively: `/AUTHORS/312` then matches `/authors/*`. */
  ignoreCase?: boolean;
  requestId?: string;
  /** The exact client address as stored. */
  ip?: string;
  /** From this moment on, inclusive. */
  from?: TimeArgument;
  /** Before this moment, exclusive. */
  to?: TimeArgument;
  minDurationMs?: number;
  statusCode?: number;
}

type Where = WhereOptions<UserActionRow>;

const EXACT_COLUMNS = {
  userId: 'user_id',
  username: 'username',
  actionType: 'action_type',
  requestId: 'request_id',
  ip: 'ip_address',
} as const satisfies Partial<Record<keyof AuditLogFilters, keyof UserActionRow>>;

/**
 * The filters as one WHERE clause. Equality and range conditions only, so that the reference's indexes
 * (user_id, username, action_type, outcome, request_id, timestamp and the two composites) can serve them.
 */
export function whereOf(filters: AuditLogFilters, now: Date = new Date()): Where[] {
  const where: Where[] = [];
  for (const [name, column] of Object.entries(EXACT_COLUMNS) as Array<[keyof typeof EXACT_COLUMNS, keyof UserActionRow]>) {
    const value = filters[name];
    if (value !== undefined) where.push({ [column]: requireText(name, value) });
  }
  if (filters.outcome !== undefined) where.push({ outcome: { [Op.in]: outcomesOf(filters.outcome) } });
  const ignoreCase = requireFlag('ignoreCase', filters.ignoreCase ?? false);
  if (filters.resource !== undefined) where.push(textCondition(Sequelize.col('resource'), requireText('resource', filters.resource), ignoreCase));
  if (filters.route !== undefined)
    where.push(textCondition(Sequelize.json('request_data.route') as unknown as ReturnType<typeof Sequelize.col>, requireText('route', filters.route), ignoreCase));
  if (filters.from !== undefined) where.push({ timestamp: { [Op.gte]: toInstant(filters.from, 'from', now) } });
  if (filters.to !== undefined) where.push({ timestamp: { [Op.lt]: toInstant(filters.to, 'to', now) } });
  if (filters.minDurationMs !== undefined) where.push({ duration_ms: { [Op.gte]: requireQueryCount('minDurationMs', filters.minDurationMs) } });
  if (filters.statusCode !== undefined) where.push({ response_status: requireQueryCount('statusCode', filters.statusCode) });
  return where;
}

/**
 * A trailing `*` asks for a prefix; substr compares alike on both dialects, where LIKE's wildcards and
 * case rules do not. Ignoring case lowers both sides in SQL, so the database's idea of case applies to both.
 */
function textCondition(column: ReturnType<typeof Sequelize.col>, value: string, ignoreCase: boolean): Where {
  const prefix = value.endsWith('*') ? value.slice(0, -1) : undefined;
  const stored = prefix === undefined ? column : Sequelize.fn('substr', column, 1, prefix.length);
  const wanted = prefix ?? value;
  if (ignoreCase) return Sequelize.where(Sequelize.fn('lower', stored), Sequelize.fn('lower', wanted)) as Where;
  return Sequelize.where(stored, wanted) as Where;
}

function outcomesOf(value: Outcome | readonly Outcome[]): Outcome[] {
  const outcomes = typeof value === 'string' ? [value] : [...value];
  const unknown = outcomes.find((outcome) => !OUTCOMES.includes(outcome));
  if (outcomes.length === 0 || unknown !== undefined) {
    throw new AuditTrailError('invalid_query', `outcome must be one or more of ${OUTCOMES.join(', ')}; got ${JSON.stringify(unknown ?? outcomes)}.`);
  }
  return outcomes;
}

export function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new AuditTrailError('invalid_query', `${name} must be a non-empty string.`);
  return value;
}

function requireFlag(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new AuditTrailError('invalid_query', `${name} must be true or false; got ${JSON.stringify(value)}.`);
  return value;
}

function requireQueryCount(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new AuditTrailError('invalid_query', `${name} must be a whole number; got ${JSON.stringify(value)}.`);
  }
  return value as number;
}
