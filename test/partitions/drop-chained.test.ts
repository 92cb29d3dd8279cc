import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, describe, expect, it } from 'vitest';
import { partitionsOf } from '../../src/partitions/catalog.js';
import { asOwner, chainedTrail, change, event, PRIVATE_PEM, PUBLIC_PEM } from '../integrity/support.js';
import { createTestDatabase } from '../support/database.js';
import { partitionedSince } from '../support/partitions.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const PARTITIONING = { interval: 'day', premake: 3 } as const;
const today = Math.floor(Date.now() / DAY) * DAY;
/** `hours` into the UTC day `daysAgo` days before today. */
const at = (daysAgo: number, hours: number) => new Date(today - daysAgo * DAY + hours * HOUR);
const dayName = (table: string, daysAgo: number) => `${table}_p${at(daysAgo, 0).toISOString().slice(0, 10).replaceAll('-', '')}`;
/** Half a day into the third day before today: the partitions up to the start of that day end before it. */
const CUTOFF = at(3, 12);

const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];
const connections: Sequelize[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await Promise.all(databases.map((d) => d.drop()));
});

/** A database partitioned by day ten days ago, and a trail on it with the chain on and a signing key. */
async function chainedPartitions() {
  const database = await createTestDatabase();
  databases.push(database);
  const sequelize = new Sequelize(database.url, { logging: false });
  connections.push(sequelize);
  await partitionedSince(sequelize, 10);
  const trail = chainedTrail(database.url, { partitioning: PARTITIONING, integrity: { signingKey: PRIVATE_PEM } });
  const select = <T extends object>(sql: string, replacements?: Record<string, unknown>) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements }) as Promise<[T, ...T[]]>;
  /** One batch (and one link) of requests stamped `times`, and one of change rows when `changes` are given. */
  const batch = async (times: Date[], changes: Date[] = []) => {
    times.forEach((timestamp, i) => trail.record({ ...event(i, `req-${timestamp.getTime()}-${i}`), timestamp }));
    changes.forEach((timestamp, i) => trail.recordChange({ ...change(i), timestamp }));
    await trail.flush();
  };
  const tenAt = (daysAgo: number, hours: number) => Array.from({ length: 10 }, () => at(daysAgo, hours));
  /** Makes every link so far look written when its newest row was recorded, as it would have been. */
  const backdateLinks = () =>
    asOwner(database.url, [
      `UPDATE audit_chain c SET created_at = coalesce((SELECT max("timestamp") FROM user_actions u WHERE u.chain_seq = c.batch),
         (SELECT max("timestamp") FROM user_action_changes u WHERE u.chain_seq = c.batch))`,
    ]);
  const names = async (table: string) => (await partitionsOf(sequelize, table)).map((p) => p.name);
  const exists = async (name: string) => (await select<{ oid: string | null }>('SELECT to_regclass(:name)::text AS oid', { name }))[0].oid !== null;
  return { sequelize, trail, select, batch, tenAt, backdateLinks, names, exists };
}

describe('prune drops partitions that hold the chain', () => {
  it('C01 old partitions go whole with the chain cut after their batches, a batch across the last one is cut row by row, and the chain verifies from a signed checkpoint', async () => {
    const { trail, select, batch, tenAt, backdateLinks, names } = await chainedPartitions();
    await batch(tenAt(8, 10), [at(8, 10), at(8, 11)]);
    // Across a boundary between two old partitions, and across the last old one and the next.
    await batch([...Array(5).fill(at(6, 23.9)), ...Array(5).fill(at(5, 0.1))], [at(5, 0.1)]);
    await batch([...Array(5).fill(at(4, 23.9)), ...Array(5).fill(at(3, 0.1))]);
    const [{ across }] = await select<{ across: string }>(
      `SELECT count(DISTINCT tableoid) AS across FROM user_actions WHERE chain_seq = (SELECT chain_seq FROM user_actions WHERE "timestamp" = :t LIMIT 1)`,
      { t: at(3, 0.1) },
    );
    expect(Number(across)).toBe(2);
    await backdateLinks();
    await batch(tenAt(1, 10));
    await batch(tenAt(0, 0));
    const [{ oldLast }] = await select<{ oldLast: string }>(`SELECT max(seq) AS "oldLast" FROM audit_chain WHERE created_at < :cutoff`, { cutoff: CUTOFF });

    const result = await trail.prune({ olderThan: CUTOFF });
    const report = await trail.verify({ publicKey: PUBLIC_PEM });
    await trail.close();

    // The first partition and each day to the cut-off's, of both tables.
    const oldDays = [10, 9, 8, 7, 6, 5, 4];
    for (const table of ['user_actions', 'user_action_changes']) {
      const left = await names(table);
      for (const gone of [`${table}_initial`, ...oldDays.map((d) => dayName(table, d))]) expect(left, table).not.toContain(gone);
      expect(left).toContain(dayName(table, 3));
    }
    expect(result.partitionsDropped).toBe(2 * (1 + oldDays.length));
    // The straddling batch's rows in the cut-off's own day went one by one.
    expect(result).toMatchObject({ deleted: 5, deletedChanges: 0 });
    expect(report.finding).toBeUndefined();
    expect(report).toMatchObject({ intact: true, rows: 20, firstSeq: Number(oldLast) + 1 });
    expect(report.signaturesChecked).toBeGreaterThanOrEqual(1);
    const [start] = await select<{ seq: string; signature: string | null }>('SELECT seq, signature FROM audit_checkpoints ORDER BY seq LIMIT 1');
    expect([Number(start.seq), start.signature]).toEqual([Number(oldLast) + 1, expect.stringMatching(/^[A-Za-z0-9+/]+=*$/)]);
    const [{ left, oldLeft }] = await select<{ left: string; oldLeft: string }>(
      `SELECT count(*) AS left, count(*) FILTER (WHERE "timestamp" < :cutoff) AS "oldLeft" FROM user_actions`,
      { cutoff: CUTOFF },
    );
    expect([Number(left), Number(oldLeft)]).toEqual([20, 0]);
    const [{ changesLeft }] = await select<{ changesLeft: string }>('SELECT count(*) AS "changesLeft" FROM user_action_changes');
    expect(Number(changesLeft)).toBe(0);
  });

  it('C02 a partition holding rows replayed into a newer batch stays, and the chain verifies', async () => {
    const { trail, select, batch, tenAt, backdateLinks, names } = await chainedPartitions();
    await batch(tenAt(8, 10));
    await batch(tenAt(7, 10));
    await batch(tenAt(5, 10));
    await backdateLinks();
    // A spill replayed now: rows of six days ago in a batch written after the cut-off.
    await batch(tenAt(6, 10));
    await batch(tenAt(0, 0));

    const result = await trail.prune({ olderThan: CUTOFF });
    const report = await trail.verify({ publicKey: PUBLIC_PEM });
    await trail.close();

    const left = await names('user_actions');
    expect(left).not.toContain(dayName('user_actions', 7));
    expect(left).toContain(dayName('user_actions', 6));
    // user_actions up to seven days ago, and user_action_changes (no chained rows) up to the cut-off's day.
    expect(result.partitionsDropped).toBe(5 + 8);
    // The batch of five days ago, old but in a partition after the replayed one, went row by row.
    expect(result.deleted).toBe(10);
    expect(report.finding).toBeUndefined();
    expect(report).toMatchObject({ intact: true, rows: 20 });
    const [{ replayed }] = await select<{ replayed: string }>(`SELECT count(*) AS replayed FROM ${dayName('user_actions', 6)}`);
    expect(Number(replayed)).toBe(10);
  });

  it('C03 a partition detached by a prune that stopped before its drop is dropped by the next prune; no other table is', async () => {
    const { sequelize, trail, batch, tenAt, backdateLinks, names, exists } = await chainedPartitions();
    await batch(tenAt(8, 10));
    await batch(tenAt(7, 10));
    await backdateLinks();
    await batch(tenAt(0, 0));
    // A host's view keeps the drop from happening after the detach committed, as a crash in between would.
    const orphan = dayName('user_actions', 8);
    await sequelize.query(`CREATE VIEW host_report AS SELECT * FROM ${orphan}`);
    // A partition the host detached to archive, and a table that merely looks like a partition: neither is the prune's.
    const archived = dayName('user_actions', 9);
    await sequelize.query(`ALTER TABLE user_actions DETACH PARTITION ${archived}`);
    await sequelize.query('CREATE TABLE user_actions_p20000101 (id integer)');

    const old = [...(await partitionsOf(sequelize, 'user_actions')), ...(await partitionsOf(sequelize, 'user_action_changes'))].filter((p) => p.to !== null && p.to <= CUTOFF);

    await expect(trail.prune({ olderThan: CUTOFF })).rejects.toThrow(/other objects depend on them/);
    expect(await names('user_actions')).not.toContain(orphan);
    // The orphan's drop failed, and with it those of the partitions dropped in the same transaction.
    const orphans = [];
    for (const { name } of old) if (await exists(name)) orphans.push(name);
    expect(orphans).toContain(orphan);
    expect((await trail.verify({ publicKey: PUBLIC_PEM })).intact).toBe(true);

    await sequelize.query('DROP VIEW host_report');
    const result = await trail.prune({ olderThan: CUTOFF });
    const report = await trail.verify({ publicKey: PUBLIC_PEM });
    await trail.close();
    expect(result.partitionsDropped).toBe(orphans.length);
    for (const name of orphans) expect(await exists(name), name).toBe(false);
    expect(await exists(archived)).toBe(true);
    expect(await exists('user_actions_p20000101')).toBe(true);
    expect(report).toMatchObject({ intact: true, rows: 10 });
  });
});
