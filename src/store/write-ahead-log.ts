import { QueryTypes } from 'sequelize';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OpenedDatabase } from './database.js';

/**
 * Puts a SQLite file the trail opened itself in write-ahead-log mode, which the file then keeps. In the
 * default rollback-journal mode a reader (`verify()`, the CLI, the viewer, a host's report) holds off every
 * commit until its read ends, so a long verification made the writer's batches wait and retry; in WAL
 * mode readers and the writer go on side by side. Commits stay synchronous (FULL): a stored batch is on
 * disk. A host's own Sequelize, and an in-memory database, are left as they are.
 */
export async function useWriteAheadLog(database: OpenedDatabase, logger: Logger): Promise<void> {
  const { sequelize, owned, label } = database;
  if (!owned || sequelize.getDialect() !== 'sqlite' || label === ':memory:') return;
  try {
    const [row] = await sequelize.query<{ journal_mode: string }>('PRAGMA journal_mode = WAL', { type: QueryTypes.SELECT });
    if (row?.journal_mode !== 'wal') throw new Error(`SQLite kept journal_mode ${row?.journal_mode ?? 'unknown'}`);
  } catch (error) {
    // Another process holding the file can stop the switch; the next start tries again, and writing goes on.
    logger.warn(`kept the rollback journal on ${label} (${messageOf(error)}): a reader holds off the writer's commits while it reads`);
  }
}
