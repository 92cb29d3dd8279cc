import type { KeyObject } from 'node:crypto';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import type { ChainedTable } from './canonical.js';
import { CHAINED_TABLES, cutChainAfter, LAST_OLD_LINK, type PerTable } from './cut-chain.js';

/** The chain's part of a prune: whole batches only, each step leaving a checkpoint where the chain now starts. */
export interface ChainPrune {
  /** Rows in the batches a prune would delete now. */
  count(): Promise<PerTable>;
  /**
   * Deletes the oldest whole batches stored before the cut-off, of either table, about `batchSize` rows
   * per transaction, and resolves to how many rows went. The newest batch always stays, so the chain
   * keeps a start.
   */
  run(batchSize: number, signal: AbortSignal | undefined): Promise<PerTable>;
}

/**
 * A batch is old when its link was written before the cut-off: its rows were recorded earlier still.
 * Each transaction cuts the chain after its last batch (src/integrity/cut-chain.ts), so every committed
 * state verifies. `throughDoor` runs its work with the append-only triggers' prune door open. On SQLite each
 * transaction takes the write lock at its start (IMMEDIATE), as the writer's do; PostgreSQL ignores the type.
 */
export function chainPrune(
  sequelize: Sequelize,
  cutoff: Date,
  key: KeyObject | undefined,
  throughDoor: <T>(transaction: Transaction, work: () => Promise<T>) => Promise<T>,
): ChainPrune {
  const one = async <T extends object>(sql: string, transaction?: Transaction, replacements: Record<string, unknown> = {}) =>
    (await sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements: { cutoff, ...replacements } }))[0];

  return {
    async count() {
      const counted = { user_actions: 0, user_action_changes: 0 };
      const sums = await sequelize.query<{ row_table: ChainedTable; rows: string }>(
        `SELECT row_table, sum(row_count) AS rows FROM audit_chain WHERE seq <= (${LAST_OLD_LINK}) GROUP BY row_table`,
        { type: QueryTypes.SELECT, replacements: { cutoff } },
      );
      for (const { row_table, rows } of sums) counted[row_table] = Number(rows);
      return counted;
    },
    async run(batchSize, signal) {
      const deleted = { user_actions: 0, user_action_changes: 0 };
      while (!signal?.aborted) {
        const step = await sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, async (transaction) => {
          const span = await one<{ first: string | null; last: string | null }>(
            `WITH old AS (SELECT seq, sum(row_count) OVER (ORDER BY seq) AS total FROM audit_chain WHERE seq <= (${LAST_OLD_LINK}) ORDER BY seq LIMIT :batchSize)
             SELECT (SELECT min(seq) FROM old) AS first, coalesce((SELECT max(seq) FROM old WHERE total <= :batchSize), (SELECT min(seq) FROM old)) AS last`,
            transaction,
            { batchSize },
          );
          if (span?.first === null || span?.first === undefined) return undefined;
          return throughDoor(transaction, () => cutChainAfter(sequelize, transaction, Number(span.last), key));
        });
        if (step === undefined) break;
        for (const table of CHAINED_TABLES) deleted[table] += step[table];
      }
      return deleted;
    },
  };
}
