import { QueryTypes, type Sequelize } from 'sequelize';
import { ROUNDS_TABLE } from '../../migrations/3f8a6c2d19e4_add_job_rounds.js';

/** The database's clock in milliseconds: one clock for every process, wherever they run. */
const NOW_MS = {
  postgres: `(extract(epoch from clock_timestamp()) * 1000)::bigint`,
  sqlite: `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`,
};

/**
 * Claims a round of `job` for the caller, unless another process claimed one less than `spacingMs` ago.
 * One atomic upsert, so processes that ask at once cannot both win. Resolves to whether the caller won.
 */
export async function claimRound(sequelize: Sequelize, job: string, spacingMs: number): Promise<boolean> {
  const now = sequelize.getDialect() === 'postgres' ? NOW_MS.postgres : NOW_MS.sqlite;
  const claimed = await sequelize.query(
    `INSERT INTO ${ROUNDS_TABLE} (job, ran_at_ms) VALUES (:job, ${now})
     ON CONFLICT (job) DO UPDATE SET ran_at_ms = excluded.ran_at_ms
     WHERE ${ROUNDS_TABLE}.ran_at_ms <= excluded.ran_at_ms - :spacingMs
     RETURNING job`,
    { type: QueryTypes.SELECT, replacements: { job, spacingMs: Math.trunc(spacingMs) } },
  );
  return claimed.length > 0;
}
