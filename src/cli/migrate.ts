import type { Sequelize } from 'sequelize';
import { MIGRATIONS } from '../../migrations/index.js';
import type { Logger } from '../logger.js';
import { DEFAULTS } from '../config.js';
import { createMigrator, HISTORY_TABLE, migrateToLatest } from '../store/migrate.js';
import { UsageError } from './usage-error.js';

interface Output {
  readonly logger: Logger;
  readonly out: (line: string) => void;
}

/** `audit-trail migrate <action>`; resolves to the exit code. */
export async function runMigrateCommand(sequelize: Sequelize, action: string, to: string | undefined, { logger, out }: Output): Promise<number> {
  const migrator = createMigrator(sequelize, logger);
  switch (action) {
    case 'up': {
      const applied = await migrateToLatest(sequelize, logger, DEFAULTS.migrationLockTimeoutMs);
      out(applied.length ? applied.map((name) => `applied ${name}`).join('\n') : 'already up to date');
      return 0;
    }
    case 'down': {
      const target = downTarget(
        (await migrator.executed()).map((m) => m.name),
        to,
      );
      const reverted = target ? (await migrator.down(target)).map((m) => m.name) : [];
      out(reverted.length ? reverted.map((name) => `reverted ${name}`).join('\n') : 'nothing to revert');
      return 0;
    }
    case 'status': {
      const executed = new Set((await migrator.executed()).map((m) => m.name));
      for (const { name, description } of MIGRATIONS) out(`${executed.has(name) ? 'applied' : 'pending'}  ${name}  ${description}`);
      return 0;
    }
    case 'history': {
      await migrator.executed(); // creates the history table on a fresh database
      const [rows] = await sequelize.query(`SELECT name, "createdAt" AS applied_at FROM ${HISTORY_TABLE} ORDER BY "createdAt", name`);
      const history = rows as Array<{ name: string; applied_at: Date | string }>;
      if (history.length === 0) out('no migrations applied');
      for (const { name, applied_at } of history) out(`${new Date(applied_at).toISOString()}  ${name}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown migrate action: ${action} (expected up, down, status or history)`);
  }
}

/**
 * Umzug's `down({ to })` reverts down to and including `to`; we follow Alembic, where `--to NAME`
 * leaves NAME as the newest applied migration, and `--to 0` reverts everything.
 */
function downTarget(executed: string[], to: string | undefined): { step: number } | { to: string | 0 } | undefined {
  if (to === undefined) return { step: 1 };
  if (to === '0') return { to: 0 };
  const index = executed.findIndex((name) => name === to || name.startsWith(`${to}_`));
  if (index === -1) throw new UsageError(`--to ${to} names no applied migration (see 'audit-trail migrate status')`);
  const next = executed[index + 1];
  return next === undefined ? undefined : { to: next };
}
