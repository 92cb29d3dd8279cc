import type { Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';

/** Fixed keys in the advisory-lock space; arbitrary, but stable across releases. */
export const LOCK_KEYS = Object.freeze({ migrations: 0x61756474, retention: 0x61756475, chain: 0x61756476, partitions: 0x61756477 });

export interface LockOptions {
  readonly key: number;
  /** What the lock guards, for the waiting log line. */
  readonly purpose: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * Runs `work` while holding a PostgreSQL advisory lock, so that several app instances starting together
 * take turns. The lock is transaction-scoped: if the process dies, PostgreSQL releases it.
 * Other dialects have no such lock and run `work` directly.
 */
export async function withAdvisoryLock<T>(sequelize: Sequelize, options: LockOptions, work: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'postgres') return work();
  const { key, purpose, timeoutMs, logger } = options;
  return sequelize.transaction(async (transaction) => {
    const [rows] = await sequelize.query('SELECT pg_try_advisory_xact_lock(:key) AS locked', {
      replacements: { key },
      transaction,
    });
    if (!(rows as Array<{ locked: boolean }>)[0]?.locked) {
      logger.info(`waiting up to ${timeoutMs} ms for another instance to finish ${purpose}`);
      // lock_timeout bounds the wait; SET cannot take a bind parameter, and timeoutMs is a validated integer.
      await sequelize.query(`SET LOCAL lock_timeout = ${Math.trunc(timeoutMs)}`, { transaction });
      await sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key }, transaction });
    }
    return work();
  });
}

/**
 * Runs `work` only if the lock is free right now, for jobs where one instance doing them is enough:
 * an instance that finds the lock taken skips the round rather than waiting. Resolves to whether it ran.
 */
export async function ifAdvisoryLockFree(sequelize: Sequelize, key: number, work: () => Promise<void>): Promise<boolean> {
  if (sequelize.getDialect() !== 'postgres') {
    await work();
    return true;
  }
  return sequelize.transaction(async (transaction) => {
    const [rows] = await sequelize.query('SELECT pg_try_advisory_xact_lock(:key) AS locked', { replacements: { key }, transaction });
    if (!(rows as Array<{ locked: boolean }>)[0]?.locked) return false;
    await work();
    return true;
  });
}
