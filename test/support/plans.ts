import type { Sequelize } from 'sequelize';
import { chainedInsert } from '../../src/integrity/chained-insert.js';
import type { AuditTrail } from '../../src/trail.js';
import { ROW_TEXT_COLUMNS } from '../../src/writer/row-text.js';

/** The columns an event fills, as the writer stores them. */
const GENERATED_COLUMNS = ROW_TEXT_COLUMNS.map((name) => `"${name}"`).join(', ');

/**
 * Rows `:first` to `:last` of `:count` realistic ones, as a relation with GENERATED_COLUMNS: 1,000 users,
 * five methods, nine in ten successful, a unique request id each, spread evenly over `:days` days ending
 * `:endDaysAgo` ago, in id order as a live table would be.
 */
const GENERATED_ROWS = `(SELECT date_trunc('milliseconds', now() - :endDaysAgo * interval '1 day' - (:count - g) * (:days * interval '1 day' / :count)) AS "timestamp",
       'user-' || (g::bigint * 7919 % 1000) AS user_id, 'name-' || (g::bigint * 7919 % 1000) AS username, '["get-authors"]'::jsonb AS user_roles,
       (ARRAY['GET','GET','GET','POST','DELETE'])[g % 5 + 1] AS action_type,
       CASE WHEN g % 3 = 0 THEN '/books/' ELSE '/authors/' END || (g % 5000) AS resource,
       CASE WHEN g % 20 = 0 THEN 'error' WHEN g % 20 = 1 THEN 'permission_denied' ELSE 'success' END AS outcome,
       '10.0.' || (g % 250) || '.' || (g % 200) AS ip_address, 'bench/1.0' AS user_agent, 'req-' || g AS request_id, NULL::jsonb AS request_data,
       CASE WHEN g % 20 = 0 THEN 500 WHEN g % 20 = 1 THEN 403 ELSE 200 END AS response_status,
       CASE WHEN g % 20 = 0 THEN 'kaboom' END AS error_message, (g * 37) % 2000 AS duration_ms
     FROM generate_series(:first, :last) AS g) AS generated`;

/**
 * `count` realistic rows (GENERATED_ROWS) in one INSERT … SELECT; or, with `chainBatch`, in chained
 * batches of that many rows, each with its link, as the writer stores them with the chain on.
 */
export async function generateRows(sequelize: Sequelize, count: number, { days = 30, endDaysAgo = 0, chainBatch = 0 } = {}): Promise<void> {
  const insert = (sql: string, first: number, last: number) => sequelize.query(sql, { replacements: { count, days, endDaysAgo, first, last } });
  if (chainBatch > 0) {
    const chained = chainedInsert('user_actions', GENERATED_COLUMNS, GENERATED_ROWS);
    for (let first = 1; first <= count; first += chainBatch) await insert(chained, first, Math.min(count, first + chainBatch - 1));
  } else {
    await insert(`INSERT INTO user_actions (${GENERATED_COLUMNS}) SELECT ${GENERATED_COLUMNS} FROM ${GENERATED_ROWS}`, 1, count);
  }
  await sequelize.query('ANALYZE user_actions');
}

export interface PlanSummary {
  /** Index names the plan reads user_actions through. */
  readonly indexes: string[];
  readonly seqScan: boolean;
  readonly text: string;
}

/**
 * What PostgreSQL would do with `sql`: which indexes, and whether it reads the whole table. With
 * `withoutSeqScan`, sequential scans are priced out, which shows whether an index path exists at all.
 */
export async function planOf(sequelize: Sequelize, sql: string, { withoutSeqScan = false } = {}): Promise<PlanSummary> {
  const rows = await sequelize.transaction(async (transaction) => {
    if (withoutSeqScan) await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
    return (await sequelize.query(`EXPLAIN (FORMAT JSON) ${sql}`, { transaction }))[0];
  });
  const plan = (rows as Array<{ 'QUERY PLAN': unknown }>)[0]!['QUERY PLAN'];
  const indexes = new Set<string>();
  let seqScan = false;
  const walk = (node: Record<string, unknown>) => {
    if (typeof node['Index Name'] === 'string') indexes.add(node['Index Name']);
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'user_actions') seqScan = true;
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
  };
  walk((plan as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
  return { indexes: [...indexes], seqScan, text: JSON.stringify(plan) };
}

/** Collects the SQL that Sequelize sends, with values inlined; pass as the `logging` option. */
export function sqlRecorder(): { logging: (sql: string) => void; last(): string } {
  let last = '';
  return {
    logging: (sql) => {
      last = sql.replace(/^Executing \([^)]*\): /, '');
    },
    last: () => last,
  };
}

const USER_INDEXES = ['idx_user_timestamp', 'idx_user_action'];
const TIMESTAMP = ['ix_user_actions_timestamp'];

export interface FilterCase {
  readonly name: string;
  readonly run: (trail: AuditTrail) => Promise<unknown>;
  /**
   * The reference indexes that may serve it, or 'unindexed' for a column the reference leaves without
   * one: its filter narrows what the timestamp index yields, and for a rare value PostgreSQL may rightly
   * prefer one sequential scan.
   */
  readonly indexes: readonly string[] | 'unindexed';
}

/** Every filter and report, over rows made by generateRows. */
export const FILTER_CASES: readonly FilterCase[] = [
  { name: 'userId', run: (t) => t.query({ userId: 'user-42' }), indexes: USER_INDEXES },
  { name: 'username', run: (t) => t.query({ username: 'name-42' }), indexes: ['ix_user_actions_username', ...TIMESTAMP] },
  { name: 'actionType', run: (t) => t.query({ actionType: 'DELETE' }), indexes: ['ix_user_actions_action_type', ...TIMESTAMP] },
  { name: 'outcome', run: (t) => t.query({ outcome: ['error', 'permission_denied'] }), indexes: ['ix_user_actions_outcome', ...TIMESTAMP] },
  { name: 'requestId', run: (t) => t.query({ requestId: 'req-4242' }), indexes: ['ix_user_actions_request_id'] },
  { name: 'from/to', run: (t) => t.query({ from: '3d', to: '1d' }), indexes: TIMESTAMP },
  { name: 'cursor', run: async (t) => t.query({ cursor: (await t.query({ limit: 5 })).nextCursor! }), indexes: TIMESTAMP },
  { name: 'resource prefix', run: (t) => t.query({ resource: '/books/*' }), indexes: 'unindexed' },
  { name: 'ip', run: (t) => t.query({ ip: '10.0.42.42' }), indexes: 'unindexed' },
  { name: 'minDurationMs', run: (t) => t.query({ minDurationMs: 1500 }), indexes: 'unindexed' },
  { name: 'statusCode', run: (t) => t.query({ statusCode: 403 }), indexes: 'unindexed' },
  {
    name: 'failedActions',
    run: (t) => t.failedActions({ username: 'name-42', since: '7d' }),
    indexes: ['ix_user_actions_username', 'ix_user_actions_outcome', ...TIMESTAMP],
  },
  { name: 'slowOperations', run: (t) => t.slowOperations({ since: '1d' }), indexes: TIMESTAMP },
  { name: 'activityTimeline', run: (t) => t.activityTimeline({ userId: 'user-42', since: '7d' }), indexes: USER_INDEXES },
];
