import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';
import { MIGRATIONS, type MigrationContext } from '../../migrations/index.js';
import { AuditTrailError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { partitionTables } from '../partitions/convert.js';
import { maintainPartitions } from '../partitions/maintain.js';
import type { PartitioningConfig } from '../partitions/options.js';
import { LOCK_KEYS, withAdvisoryLock } from './advisory-lock.js';

/** Our own history table, so we never mix with a host's sequelize-cli `SequelizeMeta`. */
export const HISTORY_TABLE = 'audit_trail_migrations';

export type Migrator = Umzug<MigrationContext>;

export function createMigrator(sequelize: Sequelize, logger: Logger): Migrator {
  return new Umzug<MigrationContext>({
    migrations: MIGRATIONS.map(({ name, up, down }) => ({
      name,
      up: ({ context }) => up(context),
      down: ({ context }) => down(context),
    })),
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({
      sequelize,
      tableName: HISTORY_TABLE,
      modelName: 'AuditTrailMigration',
      timestamps: true,
    }),
    logger: {
      info: (event: Record<string, unknown>) => {
        if (event.event === 'migrated' || event.event === 'reverted') logger.info(`${String(event.event)} ${String(event.name)}`);
      },
      warn: (event: Record<string, unknown>) => logger.warn(JSON.stringify(event)),
      error: (event: Record<string, unknown>) => logger.error(JSON.stringify(event)),
      debug: () => {},
    },
  });
}

/**
 * Brings the schema up to date, one instance at a time, and partitions the trail tables when asked
 * (once; docs/partitioning.md). Resolves to the names of the migrations it applied.
 */
export async function migrateToLatest(sequelize: Sequelize, logger: Logger, lockTimeoutMs: number, partitioning?: PartitioningConfig): Promise<string[]> {
  const migrator = createMigrator(sequelize, logger);
  try {
    return await withAdvisoryLock(sequelize, { key: LOCK_KEYS.migrations, purpose: 'migrations', timeoutMs: lockTimeoutMs, logger }, async () => {
      const applied = (await migrator.up()).map((migration) => migration.name);
      if (partitioning) {
        await partitionTables(sequelize, partitioning, logger);
        await maintainPartitions(sequelize, partitioning, { logger });
      }
      return applied;
    });
  } catch (error) {
    throw new AuditTrailError('migration_failed', `migrating the audit-trail schema failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
}
