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

  it('T04 instances whose timers are out of step prune once per round between them, and another takes the rounds over when one stops', async () => {
    const everyMs = 1_000;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const count = (logger: ReturnType<typeof memoryLogger>, text: string) => logger.lines.filter((l) => l.message.startsWith(text)).length;
    const runs = (logger: ReturnType<typeof memoryLogger>) => count(logger, 'retention: this instance runs the round');
    const loggers = [memoryLogger(), memoryLogger(), memoryLogger()];
    const instances: Array<ReturnType<typeof createAuditTrail>> = [];
    for (const logger of loggers) {
      instances.push(createAuditTrail({ database: database.url, logger, retention: { olderThan: '5d', every: '1s' } }));
      await sleep(everyMs / 3); // each timer a third of a round after the last
    }
    // Once every instance is taking part, watch four rounds' time: every instance asks each round, about one runs it.
    await vi.waitFor(() => expect(loggers.every((l) => runs(l) + count(l, 'retention: another instance') > 0)).toBe(true), { timeout: 10_000 });
    const atStart = loggers.map(runs);
    await sleep(4 * everyMs);
    const inWindow = loggers.map(runs).map((n, i) => n - atStart[i]!);
    expect(inWindow.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
    expect(inWindow.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5); // out of step and unchecked, it would be about 12

    await instances[0]!.close();
    const beforeStop = loggers.map(runs);
    await sleep(3 * everyMs);
    await Promise.all(instances.slice(1).map((trail) => trail.close()));
    const afterStop = loggers.map(runs).map((n, i) => n - beforeStop[i]!);
    expect(afterStop[0]).toBe(0);
    expect(afterStop[1]! + afterStop[2]!).toBeGreaterThanOrEqual(2);
    expect(afterStop[1]! + afterStop[2]!).toBeLessThanOrEqual(4);
    expect(loggers.flatMap((l) => l.lines).filter((l) => l.level === 'error')).toEqual([]);
  });

  it('T03 refuses a retention that is not a duration, saying what to write', () => {
    expect(() => createAuditTrail({ logger: false, retention: { olderThan: 'forever' } })).toThrow(/retention.olderThan must be a duration such as/);
    expect(() => createAuditTrail({ logger: false, retention: { olderThan: '1h' } })).toThrow(/retention.olderThan must be at least 1d/);
    expect(() => createAuditTrail({ logger: false, retention: { olderThan: '365d', every: 'hourly' } })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });
});
