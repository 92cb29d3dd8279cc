import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrailOptions } from '../../src/index.js';
import { event } from '../integrity/support.js';
import { partitionsOf } from '../../src/partitions/catalog.js';
import { silentLogger } from '../../src/logger.js';
import { maintainPartitions } from '../../src/partitions/maintain.js';
import { Telemetry } from '../../src/telemetry.js';
import { createTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';
import { partitionedSince } from '../support/partitions.js';
import { insertRows, seedRows } from '../support/seed-actions.js';

const DAY = 86_400_000;
const PARTITIONING = { interval: 'day', premake: 3 } as const;
const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];
const connections: Sequelize[] = [];

async function freshDatabase() {
  const database = await createTestDatabase();
  databases.push(database);
  const sequelize = new Sequelize(database.url, { logging: false });
  connections.push(sequelize);
  return { url: database.url, sequelize };
}

function trailOn(url: string, options: AuditTrailOptions = {}) {
  return createAuditTrail({
    database: url,
    logger: false,
    spillDir: mkdtempSync(path.join(tmpdir(), 'audit-partitions-')),
    flushIntervalMs: 10,
    partitioning: PARTITIONING,
    ...options,
  });
}

const select = <T extends object>(sequelize: Sequelize, sql: string, replacements?: Record<string, unknown>) =>
  sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements }) as Promise<[T, ...T[]]>;
/** `count` rows through SQL, the n-th stamped `timestamp` and owned by `user`, both SQL expressions of n. */
const insertGenerated = (sequelize: Sequelize, count: number, timestamp: string, user: string) =>
  sequelize.query(
    `INSERT INTO user_actions ("timestamp", user_id, username, user_roles, action_type, resource, outcome)
     SELECT ${timestamp}, ${user}, 'user', '[]', 'GET', '/x', 'success' FROM generate_series(1, ${count}) AS n`,
  );
const utcDay = (ms: number) => new Date(Math.floor(ms / DAY) * DAY);

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await Promise.all(databases.map((d) => d.drop()));
});

describe('the partitioning option', () => {
  it('P00 refuses an interval or a premake it cannot keep, saying what to write', () => {
    expect(() => createAuditTrail({ logger: false, partitioning: { interval: 'hour' as never } })).toThrow(/partitioning.interval must be one of day, week, month/);
    expect(() => createAuditTrail({ logger: false, partitioning: { interval: 'day', premake: 0 } })).toThrow(/partitioning.premake must be an integer from 1 to 366/);
    expect(() => createAuditTrail({ logger: false, partitioning: { interval: 'day', premak: 2 } as never })).toThrow(/partitioning.premak: did you mean partitioning.premake\?/);
  });
});

describe('partitioning on PostgreSQL', () => {
  let url: string;
  let sequelize: Sequelize;
  beforeAll(async () => {
    ({ url, sequelize } = await freshDatabase());
  });

  it('P01 a fresh database gets both trail tables range-partitioned by day: today and the next 3 days made, a default for strays', async () => {
    const trail = trailOn(url);
    await trail.ready();
    await trail.close();
    const today = utcDay(Date.now());
    for (const table of ['user_actions', 'user_action_changes']) {
      const [{ kind }] = await select<{ kind: string }>(sequelize, `SELECT relkind AS kind FROM pg_class WHERE relname = :table`, { table });
      expect(kind, table).toBe('p');
      const partitions = await partitionsOf(sequelize, table);
      expect(partitions.map((p) => [p.name, p.from?.toISOString() ?? null, p.to?.toISOString() ?? null])).toEqual([
        [`${table}_initial`, null, today.toISOString()],
        ...[0, 1, 2, 3].map((i) => [
          `${table}_p${new Date(today.getTime() + i * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`,
          new Date(today.getTime() + i * DAY).toISOString(),
          new Date(today.getTime() + (i + 1) * DAY).toISOString(),
        ]),
        [`${table}_default`, null, null],
      ]);
    }
    // Partitions made by the retention task copy the parent's column compression (migration f2a7c9e4b613).
    const compressions = await select<{ compression: string }>(
      sequelize,
      `SELECT DISTINCT attcompression AS compression FROM pg_attribute a JOIN pg_inherits i ON i.inhrelid = a.attrelid
       WHERE i.inhparent = 'user_actions'::regclass AND a.attname = 'request_data'`,
    );
    expect(compressions).toEqual([{ compression: 'l' }]);
  });

  it('P02 a second start changes nothing; rows land in the day partition, each event once however often it is written', async () => {
    const before = await partitionsOf(sequelize, 'user_actions');
    const trail = trailOn(url);
    const id = randomUUID();
    const once = event(1, 'req-once'); // a retried or replayed event keeps its timestamp, part of the unique key
    for (let i = 0; i < 3; i++) trail.record(once, id);
    trail.record(event(2, 'req-other'));
    await trail.flush();
    await trail.close();
    expect(await partitionsOf(sequelize, 'user_actions')).toEqual(before);
    const rows = await select<{ partition: string; request_id: string }>(sequelize, `SELECT tableoid::regclass::text AS partition, request_id FROM user_actions ORDER BY id`);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(rows).toEqual([
      { partition: `user_actions_p${today}`, request_id: 'req-once' },
      { partition: `user_actions_p${today}`, request_id: 'req-other' },
    ]);
    const [{ key }] = await select<{ key: string }>(sequelize, `SELECT pg_get_indexdef('ux_user_actions_event_id'::regclass) AS key`);
    expect(key).toContain('(event_id, "timestamp")');
  });

  it('P03 UPDATE and DELETE are refused on the table and on each partition, as before', async () => {
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    for (const target of ['user_actions', `user_actions_p${today}`, 'user_actions_default', 'user_actions_initial', 'user_action_changes', `user_action_changes_p${today}`]) {
      await expect(sequelize.query(`DELETE FROM ${target}`), target).rejects.toThrow(/append-only/);
      await expect(sequelize.query(`UPDATE ${target} SET user_id = 'x'`), target).rejects.toThrow(/append-only/);
    }
  });

  it('P04 a row the partitions do not cover lands in the default partition, is reported, and is moved into a partition of its own', async () => {
    const trail = trailOn(url);
    const future = new Date(Date.now() + 40 * DAY);
    trail.record({ ...event(3, 'req-future'), timestamp: future });
    await trail.flush();
    await trail.close();
    const [{ partition }] = await select<{ partition: string }>(sequelize, `SELECT tableoid::regclass::text AS partition FROM user_actions WHERE request_id = 'req-future'`);
    expect(partition).toBe('user_actions_default');

    const telemetry = new Telemetry();
    const reported: Array<{ table: string; rows: number }> = [];
    telemetry.on('partition_strays', (strays) => reported.push(strays));
    await maintainPartitions(sequelize, PARTITIONING, { logger: silentLogger, telemetry });
    expect(reported).toEqual([
      { table: 'user_actions', rows: 1 },
      { table: 'user_action_changes', rows: 0 },
    ]);
    const [moved] = await select<{ partition: string }>(sequelize, `SELECT tableoid::regclass::text AS partition FROM user_actions WHERE request_id = 'req-future'`);
    expect(moved!.partition).toBe(`user_actions_p${utcDay(future.getTime()).toISOString().slice(0, 10).replaceAll('-', '')}`);
    const [{ strays }] = await select<{ strays: string }>(sequelize, 'SELECT count(*) AS strays FROM user_actions_default');
    expect(Number(strays)).toBe(0);
    await expect(sequelize.query(`DELETE FROM ${moved!.partition}`)).rejects.toThrow(/append-only/);
  });
});

describe('many processes', () => {
  it('P08 trails starting together on an empty database, one of them already running its retention rounds, partition it once and all come up', async () => {
    const { url, sequelize } = await freshDatabase();
    const logger = memoryLogger();
    const trails = [trailOn(url, { logger, retention: { olderThan: '30d', every: '1s' } }), ...Array.from({ length: 3 }, () => trailOn(url, { logger }))];
    await Promise.all(trails.map((trail) => trail.ready()));
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a retention round's upkeep beside the others' starts
    await Promise.all(trails.map((trail) => trail.close()));
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.lines.filter((l) => l.message.startsWith('partitioned user_actions by day'))).toHaveLength(1);
    expect((await partitionsOf(sequelize, 'user_actions')).map((p) => p.name)).toHaveLength(6); // initial, today and 3 ahead, default
  });
});

describe('partitioning an existing table', () => {
  it('P05 attaches the old table as the first partition without losing a row; the query API and the reports answer as before', async () => {
    const { url, sequelize } = await freshDatabase();
    const plain = trailOn(url, { partitioning: undefined });
    const rows = seedRows(Date.now());
    await insertRows(plain, rows);
    const queries = async (trail: ReturnType<typeof trailOn>) => ({
      byUser: (await trail.query({ userId: 'u-2', limit: 1000 })).data.map((e) => e.id),
      byTime: (await trail.query({ from: new Date(Date.now() - 3 * DAY), to: new Date(Date.now() - DAY), limit: 1000 })).data.map((e) => e.id),
      failed: (await trail.failedActions({ since: '30d' })).data.map((e) => e.id),
      timeline: await trail.activityTimeline({ since: '30d', bucket: 'day' }),
      slow: await trail.slowOperations({ since: '30d', minDurationMs: 100 }),
    });
    const before = await queries(plain);
    await plain.close();

    const partitioned = trailOn(url);
    await partitioned.ready();
    expect(await queries(partitioned)).toEqual(before);
    expect(before.byUser.length).toBe(40);
    expect(before.byTime.length).toBeGreaterThan(0);
    partitioned.record(event(9, 'req-after'));
    await partitioned.flush();
    await partitioned.close();

    const [{ count, initial }] = await select<{ count: string; initial: string }>(
      sequelize,
      `SELECT count(*) AS count, count(*) FILTER (WHERE tableoid = 'user_actions_initial'::regclass AND request_id <> 'req-after') AS initial FROM user_actions`,
    );
    expect(Number(count)).toBe(rows.length + 1);
    // Every old row is in the first partition; the new one lands there too, or just after midnight in today's.
    expect(Number(initial)).toBe(rows.length);
    const [{ check }] = await select<{ check: string }>(sequelize, `SELECT pg_get_constraintdef(oid) AS check FROM pg_constraint WHERE conname = 'user_actions_initial_bound'`);
    expect(check).toMatch(/CHECK \(\("timestamp" < '.+'::timestamp with time zone\)\)/);
    // The sequence now belongs to the partitioned table: dropping the first partition must not take it.
    const [{ owner }] = await select<{ owner: string }>(sequelize, `SELECT pg_get_serial_sequence('user_actions', 'id') AS owner`);
    expect(owner).toBe('public.user_actions_id_seq');
  });
});

describe('retention on partitions', () => {
  it('P06 prune drops the partitions before the cut-off and deletes row by row only in the one that straddles it', async () => {
    const { url, sequelize } = await freshDatabase();
    // A trail partitioned 60 days ago, whose retention task made each day's partition since.
    const started = await partitionedSince(sequelize, 60);
    await insertGenerated(sequelize, 24 * 58, `now() - (n * interval '1 hour')`, `'u-' || (n % 5)`);
    const cutoff = new Date(Date.now() - 30 * DAY);
    const [{ old }] = await select<{ old: string }>(sequelize, `SELECT count(*) AS old FROM user_actions WHERE "timestamp" < :cutoff`, { cutoff });
    const partitionsBefore = (await partitionsOf(sequelize, 'user_actions')).length;

    const trail = trailOn(url);
    const result = await trail.prune({ olderThan: cutoff });
    await trail.close();
    // The first partition (to 60 days ago) and each whole day up to the cut-off's own day: 30 days ago, rounded down.
    const wholeDays = Math.floor(cutoff.getTime() / DAY) - Math.floor(started.getTime() / DAY);
    // The same days of user_action_changes went with them.
    expect(result.partitionsDropped).toBe(2 * (1 + wholeDays));
    expect((await partitionsOf(sequelize, 'user_actions')).length).toBe(partitionsBefore - (1 + wholeDays));
    // Only the rows of the cut-off's own day went one by one.
    expect(result.deleted).toBeGreaterThan(0);
    expect(result.deleted).toBeLessThanOrEqual(24);
    const [{ left, oldLeft }] = await select<{ left: string; oldLeft: string }>(
      sequelize,
      `SELECT count(*) AS left, count(*) FILTER (WHERE "timestamp" < :cutoff) AS "oldLeft" FROM user_actions`,
      { cutoff },
    );
    expect(Number(oldLeft)).toBe(0);
    expect(Number(left)).toBe(24 * 58 - Number(old));
    const [{ sequence }] = await select<{ sequence: string | null }>(sequelize, `SELECT to_regclass('user_actions_id_seq')::text AS sequence`);
    expect(sequence).toBe('user_actions_id_seq');
  });

  it('P07 with the tamper-evidence chain on, a partition that holds chained rows of batches written after the cut-off is not dropped, and the chain still verifies', async () => {
    const { url, sequelize } = await freshDatabase();
    const started = await partitionedSince(sequelize, 10);
    // Unchained rows eight days ago (written before the chain was turned on), then two chained batches five days ago.
    await insertGenerated(sequelize, 50, `now() - interval '8 days' - (n * interval '1 minute')`, `'u-old'`);
    const trail = trailOn(url, { integrity: true, batchSize: 10 });
    for (let i = 0; i < 20; i++) trail.record({ ...event(i, `req-chained-${i}`), timestamp: new Date(Date.now() - 5 * DAY) });
    await trail.flush();
    expect((await trail.verify()).intact).toBe(true);

    const result = await trail.prune({ olderThan: '2d' });
    const verified = await trail.verify();
    await trail.close();
    expect(verified.intact).toBe(true);
    // The chain's prune goes by when a link was written: both were written just now, after the cut-off, so both
    // batches stay, and the partition that holds them. The first partition and the days before it went whole,
    // the unchained rows with them.
    expect(verified.rows).toBe(20);
    const eightDaysAgo = Math.floor((Date.now() - 8 * DAY) / DAY);
    const fiveDaysAgo = Math.floor((Date.now() - 5 * DAY) / DAY);
    // user_action_changes holds no chain: its partitions went up to the cut-off's day.
    const startedDay = Math.floor(started.getTime() / DAY);
    const cutoffDay = Math.floor((Date.now() - 2 * DAY) / DAY);
    expect(result.partitionsDropped).toBe(1 + fiveDaysAgo - startedDay + (1 + cutoffDay - startedDay));
    expect(result.deleted).toBe(0);
    const [{ old, chained }] = await select<{ old: string; chained: string }>(
      sequelize,
      `SELECT count(*) FILTER (WHERE user_id = 'u-old') AS old, count(*) FILTER (WHERE chain_seq IS NOT NULL) AS chained FROM user_actions`,
    );
    expect([Number(old), Number(chained)]).toEqual([0, 20]);
    expect(eightDaysAgo).toBeLessThan(fiveDaysAgo);
  });

  it('P09 a partition that cannot be dropped makes prune reject, saying why, while the others still go; the next prune takes the rest', async () => {
    const { url, sequelize } = await freshDatabase();
    await partitionedSince(sequelize, 20);
    await insertGenerated(sequelize, 24 * 18, `now() - (n * interval '1 hour')`, `'u-' || (n % 5)`);
    const cutoff = new Date(Date.now() - 10 * DAY);
    const oldPartitions = async (table = 'user_actions') => (await partitionsOf(sequelize, table)).filter((p) => p.to !== null && p.to <= cutoff).map((p) => p.name);
    const before = await oldPartitions();
    // A host's view on one old day: PostgreSQL refuses to drop a table a view depends on.
    const kept = `user_actions_p${utcDay(Date.now() - 15 * DAY)
      .toISOString()
      .slice(0, 10)
      .replaceAll('-', '')}`;
    await sequelize.query(`CREATE VIEW host_report AS SELECT * FROM ${kept}`);

    const trail = trailOn(url);
    await expect(trail.prune({ olderThan: cutoff })).rejects.toThrow(/other objects depend on them/);
    const left = await oldPartitions();
    expect(left).toContain(kept);
    expect(left.length).toBeLessThan(before.length);
    const changesLeft = await oldPartitions('user_action_changes');

    await sequelize.query('DROP VIEW host_report');
    const result = await trail.prune({ olderThan: cutoff });
    await trail.close();
    expect(result.partitionsDropped).toBe(left.length + changesLeft.length);
    expect(await oldPartitions()).toEqual([]);
    expect(await oldPartitions('user_action_changes')).toEqual([]);
    const [{ oldLeft }] = await select<{ oldLeft: string }>(sequelize, `SELECT count(*) AS "oldLeft" FROM user_actions WHERE "timestamp" < :cutoff`, { cutoff });
    expect(Number(oldLeft)).toBe(0);
  });
});
