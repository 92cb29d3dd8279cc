import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { FILTER_CASES, generateRows, planOf, sqlRecorder } from '../support/plans.js';

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

const INDEXED = FILTER_CASES.flatMap(({ name, run, indexes }) => (indexes === 'unindexed' ? [] : [[name, run, indexes] as const]));
const UNINDEXED = FILTER_CASES.flatMap(({ name, run, indexes }) => (indexes === 'unindexed' ? [[name, run] as const] : []));

describe('filters and reports use the reference indexes (PostgreSQL, 50,000 rows, analyzed)', () => {
  it.each(INDEXED)('X %s is served by its index, never a sequential scan', async (_name, run, allowed) => {
    await run(trail);
    const plan = await planOf(sequelize, recorder.last());
    expect(plan.seqScan, plan.text).toBe(false);
    expect(
      plan.indexes.some((index) => allowed.includes(index)),
      plan.text,
    ).toBe(true);
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
