import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import { ifAdvisoryLockFree, LOCK_KEYS } from '../../src/store/advisory-lock.js';
import { useTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';
import { insertRows, seedRows } from '../support/seed-actions.js';

const database = useTestDatabase();
const DAY = 86_400_000;
let sequelize: Sequelize;

beforeAll(() => {
  sequelize = new Sequelize(database.url, { logging: false });
});
afterAll(() => sequelize.close());

describe('retention', () => {
  it('T01 an instance that finds the retention lock taken skips the round instead of waiting', async () => {
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = sequelize.transaction(async (transaction) => {
      await sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key: LOCK_KEYS.retention }, transaction });
      held();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    const work = vi.fn(async () => {});
    expect(await ifAdvisoryLockFree(sequelize, LOCK_KEYS.retention, work)).toBe(false);
    expect(work).not.toHaveBeenCalled();
    release();
    await holder;
    expect(await ifAdvisoryLockFree(sequelize, LOCK_KEYS.retention, work)).toBe(true);
    expect(work).toHaveBeenCalledOnce();
  });

  it('T02 the retention option prunes old rows on its schedule, on every instance together exactly once, and stops on close', async () => {
    const rows = seedRows(Date.now());
    const logger = memoryLogger();
    const first = createAuditTrail({ database: database.url, logger });
    await insertRows(first, rows);
    const old = rows.filter((r) => r.timestamp.getTime() < Date.now() - 5 * DAY).length;
    const options = { database: database.url, logger, retention: { olderThan: '5d', every: '1s' } };
    const instances = [createAuditTrail(options), createAuditTrail(options)];
    const { models } = await first.store();
    await vi.waitFor(async () => expect(await models.UserAction.count()).toBe(rows.length - old), { timeout: 10_000, interval: 100 });
    await Promise.all(instances.map((trail) => trail.close()));
    const pruned = logger.lines.filter((l) => l.message.startsWith('retention: pruned')).map((l) => Number(/pruned (\d+)/.exec(l.message)![1]));
    expect(pruned.reduce((a, b) => a + b, 0)).toBe(old);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    await first.close();
  });

  it('T03 refuses a retention that is not a duration, saying what to write', () => {
    expect(() => createAuditTrail({ logger: false, retention: { olderThan: 'forever' } })).toThrow(/retention.olderThan must be a duration such as/);
    expect(() => createAuditTrail({ logger: false, retention: { olderThan: '1h' } })).toThrow(/retention.olderThan must be at least 1d/);
    expect(() => createAuditTrail({ logger: false, retention: { olderThan: '365d', every: 'hourly' } })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });
});
