import type { Sequelize } from 'sequelize';
import { silentLogger } from '../../src/logger.js';
import { partitionTables } from '../../src/partitions/convert.js';
import { maintainPartitions } from '../../src/partitions/maintain.js';
import { migrateToLatest } from '../../src/store/migrate.js';

const DAY = 86_400_000;

/**
 * A database as a trail partitioned by day `daysAgo` days ago leaves it, its retention task having made
 * each day's partition since, and `premake` more ahead of today. Resolves to when it was partitioned.
 */
export async function partitionedSince(sequelize: Sequelize, daysAgo: number, premake = 3): Promise<Date> {
  await migrateToLatest(sequelize, silentLogger, 60_000);
  const started = new Date(Date.now() - daysAgo * DAY);
  await partitionTables(sequelize, { interval: 'day', premake }, silentLogger, started);
  await maintainPartitions(sequelize, { interval: 'day', premake: daysAgo + premake }, { logger: silentLogger, now: started });
  return started;
}
