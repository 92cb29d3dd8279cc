import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { Outcome } from '../capture/outcome.js';
import { AuditTrailError } from '../errors.js';
import type { UserActionRow } from '../store/models.js';
import { toInstant, type TimeArgument } from './time.js';

export const OUTCOMES: readonly Outcome[] = ['success', 'error', 'permission_denied'];

/** What `query()` can select on; every filter is optional and they combine with AND. */
export interface AuditLogFilters {
  userId?: string;
  username?: string;
  actionType?: string;
  /** One outcome or several. */
  outcome?: Outcome | readonly Outcome[];
  /** An exact path, or a prefix when it ends in `*`: `/authors/*`. */
  resource?: string;
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
  if (filters.resource !== undefined) where.push(resourceCondition(requireText('resource', filters.resource)));
  if (filters.from !== undefined) where.push({ timestamp: { [Op.gte]: toInstant(filters.from, 'from', now) } });
  if (filters.to !== undefined) where.push({ timestamp: { [Op.lt]: toInstant(filters.to, 'to', now) } });
  if (filters.minDurationMs !== undefined) where.push({ duration_ms: { [Op.gte]: requireQueryCount('minDurationMs', filters.minDurationMs) } });
  if (filters.statusCode !== undefined) where.push({ response_status: requireQueryCount('statusCode', filters.statusCode) });
  return where;
}

/** A trailing `*` asks for a prefix; substr compares bytes alike on both dialects, where LIKE does not. */
function resourceCondition(resource: string): Where {
  if (!resource.endsWith('*')) return { resource };
  const prefix = resource.slice(0, -1);
  return Sequelize.where(Sequelize.fn('substr', Sequelize.col('resource'), 1, prefix.length), prefix) as Where;
}

function outcomesOf(value: Outcome | readonly Outcome[]): Outcome[] {
  const outcomes = typeof value === 'string' ? [value] : [...value];
  const unknown = outcomes.find((outcome) => !OUTCOMES.includes(outcome));
  if (outcomes.length === 0 || unknown !== undefined) {
    throw new AuditTrailError('invalid_query', `outcome must be one or more of ${OUTCOMES.join(', ')}; got ${JSON.stringify(unknown ?? outcomes)}.`);
  }
  return outcomes;
}

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new AuditTrailError('invalid_query', `${name} must be a non-empty string.`);
  return value;
}

function requireQueryCount(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new AuditTrailError('invalid_query', `${name} must be a whole number; got ${JSON.stringify(value)}.`);
  }
  return value as number;
}
