import { Op, Sequelize } from 'sequelize';
import type { Store } from '../store/store.js';
import { bucketStart, type Bucket } from './buckets.js';
import { whereOf } from './filters.js';
import { queryLog, type AuditLogPage } from './query.js';
import type { TimeArgument } from './time.js';

const { fn, col, literal } = Sequelize;

export interface FailedActionsQuery {
  username?: string;
  userId?: string;
  /** Default `24h`. */
  since?: TimeArgument;
  limit?: number;
  cursor?: string;
}

export interface SlowOperationsQuery {
  /** Default 1000. */
  minDurationMs?: number;
  /** Default `7d`. */
  since?: TimeArgument;
}

export interface SlowOperation {
  actionType: string;
  /** Rounded to two decimals, so both dialects agree. */
  avgDurationMs: number;
  maxDurationMs: number;
  count: number;
}

export interface ActivityTimelineQuery {
  userId?: string;
  /** Default `24h`. */
  since?: TimeArgument;
  /** Default `hour`. */
  bucket?: Bucket;
}

export interface TimelineBucket {
  /** The start of the bucket, UTC. */
  bucket: Date;
  events: number;
  /** `error` outcomes only, as in the reference's query. */
  errors: number;
  /** `permission_denied` outcomes. */
  denied: number;
}

/** The reference's "failed actions for a user": error and permission_denied rows, newest first. */
export function failedActions(store: Store, { since = '24h', ...rest }: FailedActionsQuery = {}): Promise<AuditLogPage> {
  return queryLog(store, { ...rest, from: since, outcome: ['error', 'permission_denied'] });
}

/** The reference's "slow operations": per action type, slowest on average first. */
export async function slowOperations(store: Store, { minDurationMs = 1000, since = '7d' }: SlowOperationsQuery = {}): Promise<SlowOperation[]> {
  const average = fn('AVG', col('duration_ms'));
  const rows = (await store.models.UserAction.findAll({
    attributes: ['action_type', [average, 'avg'], [fn('MAX', col('duration_ms')), 'max'], [fn('COUNT', literal('*')), 'count']],
    where: { [Op.and]: whereOf({ minDurationMs, from: since }) },
    group: ['action_type'],
    order: [
      [average, 'DESC'],
      ['action_type', 'ASC'],
    ],
    raw: true,
  })) as unknown as Array<{ action_type: string; avg: number | string; max: number | string; count: number | string }>;
  return rows.map((row) => ({
    actionType: row.action_type,
    avgDurationMs: Math.round(Number(row.avg) * 100) / 100,
    maxDurationMs: Number(row.max),
    count: Number(row.count),
  }));
}

/** The reference's "user activity timeline": events, errors and denials per bucket, oldest first. */
export async function activityTimeline(store: Store, { userId, since = '24h', bucket = 'hour' }: ActivityTimelineQuery = {}): Promise<TimelineBucket[]> {
  const start = bucketStart(store.sequelize.getDialect(), bucket);
  const countOf = (outcome: string) => literal(`SUM(CASE WHEN outcome = '${outcome}' THEN 1 ELSE 0 END)`);
  const rows = (await store.models.UserAction.findAll({
    attributes: [
      [start, 'bucket'],
      [fn('COUNT', literal('*')), 'events'],
      [countOf('error'), 'errors'],
      [countOf('permission_denied'), 'denied'],
    ],
    where: { [Op.and]: whereOf({ ...(userId === undefined ? {} : { userId }), from: since }) },
    group: [start],
    order: [[start, 'ASC']],
    raw: true,
  })) as unknown as Array<{ bucket: string; events: number | string; errors: number | string; denied: number | string }>;
  return rows.map((row) => ({ bucket: new Date(row.bucket), events: Number(row.events), errors: Number(row.errors), denied: Number(row.denied) }));
}
