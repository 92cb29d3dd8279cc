import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { generateRows, planOf, sqlRecorder } from '../support/plans.js';

const database = useTestDatabase();
const recorder = sqlRecorder();
let sequelize: Sequelize;
let trail: AuditTrail;

beforeAll(async () => {
  sequelize = new Sequelize(database.url, { logging: (sql) => recorder.logging(sql) });
  trail = createAuditTrail({ database: sequelize, logger: false });
  await trail.ready();
  await generateRows(sequelize, 50_000);
});
afterAll(async () => {
  await trail.close();
  await sequelize.close();
});

const USER_INDEXES = ['idx_user_timestamp', 'idx_user_action', 'ix_user_actions_user_id'];
const TIMESTAMP = ['ix_user_actions_timestamp'];

/** Each filter and report, and the reference indexes that may serve it. */
const INDEXED: Array<[string, (trail: AuditTrail) => Promise<unknown>, string[]]> = [
  ['userId', (t) => t.query({ userId: 'user-42' }), USER_INDEXES],
  ['username', (t) => t.query({ username: 'name-42' }), ['ix_user_actions_username', ...TIMESTAMP]],
  ['actionType', (t) => t.query({ actionType: 'DELETE' }), ['ix_user_actions_action_type', ...TIMESTAMP]],
  ['outcome', (t) => t.query({ outcome: ['error', 'permission_denied'] }), ['ix_user_actions_outcome', ...TIMESTAMP]],
  ['requestId', (t) => t.query({ requestId: 'req-4242' }), ['ix_user_actions_request_id']],
  ['from/to', (t) => t.query({ from: '3d', to: '1d' }), TIMESTAMP],
  ['cursor', async (t) => t.query({ cursor: (await t.query({ limit: 5 })).nextCursor! }), TIMESTAMP],
  ['failedActions', (t) => t.failedActions({ username: 'name-42', since: '7d' }), ['ix_user_actions_username', 'ix_user_actions_outcome', ...TIMESTAMP]],
  ['slowOperations', (t) => t.slowOperations({ since: '1d' }), TIMESTAMP],
  ['activityTimeline', (t) => t.activityTimeline({ userId: 'user-42', since: '7d' }), USER_INDEXES],
];

/**
 * Columns the reference leaves unindexed. Their filters narrow what the timestamp index yields in
 * (timestamp DESC, id DESC) order; for a rare value PostgreSQL may rightly prefer one sequential scan
 * to walking the whole index, so the test checks that the index path exists.
 */
const UNINDEXED: Array<[string, (trail: AuditTrail) => Promise<unknown>]> = [
  ['resource prefix', (t) => t.query({ resource: '/books/*' })],
  ['ip', (t) => t.query({ ip: '10.0.42.42' })],
  ['minDurationMs', (t) => t.query({ minDurationMs: 1500 })],
  ['statusCode', (t) => t.query({ statusCode: 403 })],
];

describe('filters and reports use the reference indexes (PostgreSQL, 50,000 rows, analyzed)', () => {
  it.each(INDEXED)('X %s is served by its index, never a sequential scan', async (_name, run, allowed) => {
    await run(trail);
    const plan = await planOf(sequelize, recorder.last());
    expect(plan.seqScan, plan.text).toBe(false);
    expect(plan.indexes.some((index) => allowed.includes(index)), plan.text).toBe(true);
  });

  it.each(UNINDEXED)('X %s can be served by the timestamp index', async (_name, run) => {
    await run(trail);
    const plan = await planOf(sequelize, recorder.last(), { withoutSeqScan: true });
    expect(plan.seqScan, plan.text).toBe(false);
    expect(plan.indexes, plan.text).toContain('ix_user_actions_timestamp');
  });

  it('X a common value of an unindexed column walks the timestamp index on its own', async () => {
    await trail.query({ resource: '/authors/*', statusCode: 200 });
    const plan = await planOf(sequelize, recorder.last());
    expect(plan.indexes, plan.text).toEqual(['ix_user_actions_timestamp']);
  });
});
