import type { Sequelize } from 'sequelize';
import { silentLogger } from '../../src/logger.js';
import { partitionTables } from '../../src/partitions/convert.js';
import type { Interval } from '../../src/partitions/intervals.js';
import { maintainPartitions } from '../../src/partitions/maintain.js';
import { migrateToLatest } from '../../src/store/migrate.js';

const DAY = 86_400_000;

/** Intervals of each kind in a day, at least: enough to make partitions for `days` days. */
const PER_DAY: Record<Interval, number> = { day: 1, week: 1 / 7, month: 1 / 28 };

/**
 * A database as a trail partitioned by `interval` `daysAgo` days ago leaves it, its retention task having
 * made each interval's partition since, and 3 more ahead of today. Resolves to when it was partitioned.
 */
export async function partitionedSince(sequelize: Sequelize, daysAgo: number, interval: Interval = 'day'): Promise<Date> {
  await migrateToLatest(sequelize, silentLogger, 60_000);
  const started = new Date(Date.now() - daysAgo * DAY);
  await partitionTables(sequelize, { interval, premake: 3 }, silentLogger, started);
  await maintainPartitions(sequelize, { interval, premake: Math.ceil(daysAgo * PER_DAY[interval]) + 3 }, { logger: silentLogger, now: started });
  return started;
}
