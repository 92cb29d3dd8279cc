import { QueryTypes, type Sequelize } from 'sequelize';
import { PRUNE_SETTING } from '../../migrations/7d1b3e9f0a62_protect_user_actions.js';
import type { Logger } from '../logger.js';
import { LOCK_KEYS, withAdvisoryLock } from '../store/advisory-lock.js';
import type { Telemetry } from '../telemetry.js';
import { appendOnlyTrigger, defaultPartitionOf, isPartitioned, PARTITIONED_TABLES, partitionName, partitionsOf, type Partition } from './catalog.js';
import { intervalsFrom, intervalStart, nextStart } from './intervals.js';
import type { PartitioningConfig } from './options.js';

/** The most intervals of strays one round gives partitions of their own; the rest wait for the next round. */
const MAX_STRAY_INTERVALS = 50;

export interface Upkeep {
  readonly logger: Logger;
  readonly telemetry?: Telemetry;
  /** The moment whose interval is current; now, but for tests and benches. */
  readonly now?: Date;
}

/** How long upkeep waits for another process's upkeep to finish. */
const UPKEEP_LOCK_TIMEOUT_MS = 60_000;

/**
 * One round of upkeep, at start and then by the retention task: the strays the default partition caught
 * are reported, then moved into partitions of their own, and the current interval and the next
 * `premake` have partitions before any row needs them. Under an advisory lock of its own: a process
 * starting while another's retention round runs must not make the same partition at the same time.
 */
export async function maintainPartitions(sequelize: Sequelize, config: PartitioningConfig, upkeep: Upkeep): Promise<void> {
  const { logger, telemetry, now = new Date() } = upkeep;
  const lock = { key: LOCK_KEYS.partitions, purpose: 'partition upkeep', timeoutMs: UPKEEP_LOCK_TIMEOUT_MS, logger };
  await withAdvisoryLock(sequelize, lock, () => keepUp(sequelize, config, now, telemetry));
}

async function keepUp(sequelize: Sequelize, config: PartitioningConfig, now: Date, telemetry: Telemetry | undefined): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    if (!(await isPartitioned(sequelize, table))) continue;
    const strays = await strayIntervals(sequelize, table, config);
    telemetry?.emit('partition_strays', { table, rows: strays.rows });
    const wanted = [...strays.intervals, ...intervalsFrom(config.interval, now, config.premake + 1)];
    for (const [start, end] of wanted) {
      for (const [from, to] of gaps(await partitionsOf(sequelize, table), start, end)) await addPartition(sequelize, table, from, to);
    }
  }
}

/** How many rows the default partition holds, and the intervals they fall in. */
async function strayIntervals(sequelize: Sequelize, table: string, config: PartitioningConfig) {
  const strays = defaultPartitionOf(table);
  const [{ rows } = { rows: 0 }] = await sequelize.query<{ rows: string | number }>(`SELECT count(*) AS rows FROM ${strays}`, { type: QueryTypes.SELECT });
  if (Number(rows) === 0) return { rows: 0, intervals: [] };
  const starts = await sequelize.query<{ start: Date }>(
    `SELECT DISTINCT date_trunc(:unit, "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start FROM ${strays} ORDER BY 1 LIMIT ${MAX_STRAY_INTERVALS}`,
    { type: QueryTypes.SELECT, replacements: { unit: config.interval } },
  );
  const intervals = starts.map(({ start }) => [intervalStart(config.interval, start), nextStart(config.interval, intervalStart(config.interval, start))] as const);
  return { rows: Number(rows), intervals };
}

/** The parts of [start, end) that no partition but the default covers. */
function gaps(partitions: readonly Partition[], start: Date, end: Date): Array<readonly [Date, Date]> {
  const found: Array<readonly [Date, Date]> = [];
  let cursor = start.getTime();
  for (const { from, to, isDefault } of partitions) {
    if (isDefault) continue;
    const low = from?.getTime() ?? -Infinity;
    const high = to?.getTime() ?? Infinity;
    if (high <= cursor || low >= end.getTime()) continue;
    if (low > cursor) found.push([new Date(cursor), new Date(low)]);
    cursor = Math.max(cursor, high);
  }
  if (cursor < end.getTime()) found.push([new Date(cursor), end]);
  return found;
}

/**
 * A partition for [from, to). Rows the default partition caught in that range move into it first, in
 * the same transaction: PostgreSQL refuses a partition whose rows still sit in the default one.
 */
async function addPartition(sequelize: Sequelize, table: string, from: Date, to: Date): Promise<void> {
  const name = partitionName(table, from);
  const strays = defaultPartitionOf(table);
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction, replacements: { from, to } });
    await run(`CREATE TABLE ${name} (LIKE ${table} INCLUDING ALL EXCLUDING INDEXES)`);
    await run(`SET LOCAL ${PRUNE_SETTING} = 'on'`);
    await run(`WITH moved AS (DELETE FROM ${strays} WHERE "timestamp" >= :from AND "timestamp" < :to RETURNING *) INSERT INTO ${name} SELECT * FROM moved`);
    await run(`ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM (:from) TO (:to)`);
    await run(appendOnlyTrigger(name));
  });
}
