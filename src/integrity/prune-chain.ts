import { createPrivateKey } from 'node:crypto';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { deleteCounting } from '../store/delete-counting.js';
import type { ChainedTable } from './canonical.js';
import { checkpointInsert, signCheckpoint } from './checkpoint.js';

/** Rows of each chained table. */
type PerTable = Record<ChainedTable, number>;

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

const TABLES: readonly ChainedTable[] = ['user_actions', 'user_action_changes'];

/**
 * A batch is old when its link was written before the cut-off: its rows were recorded earlier still.
 * Each transaction records a checkpoint (signed when a key is given) on the link that becomes the
 * chain's first, then deletes the rows, links and checkpoints before it, so every committed state
 * verifies. `throughDoor` runs its work with the append-only triggers' prune door open. On SQLite each
 * transaction takes the write lock at its start (IMMEDIATE), as the writer's do; PostgreSQL ignores the type.
 */
export function chainPrune(
  sequelize: Sequelize,
  cutoff: Date,
  signingKeyPem: string | undefined,
  throughDoor: <T>(transaction: Transaction, work: () => Promise<T>) => Promise<T>,
): ChainPrune {
  const key = signingKeyPem === undefined ? undefined : createPrivateKey(signingKeyPem);
  const one = async <T extends object>(sql: string, transaction?: Transaction, replacements: Record<string, unknown> = {}) =>
    (await sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements: { cutoff, ...replacements } }))[0];
  // The last old batch below the head; null when nothing is to go.
  const lastOld = `SELECT max(seq) AS seq FROM audit_chain WHERE created_at < :cutoff AND seq < (SELECT max(seq) FROM audit_chain)`;

  return {
    async count() {
      const counted = { user_actions: 0, user_action_changes: 0 };
      const sums = await sequelize.query<{ row_table: ChainedTable; rows: string }>(
        `SELECT row_table, sum(row_count) AS rows FROM audit_chain WHERE seq <= (${lastOld}) GROUP BY row_table`,
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
            `WITH old AS (SELECT seq, sum(row_count) OVER (ORDER BY seq) AS total FROM audit_chain WHERE seq <= (${lastOld}) ORDER BY seq LIMIT :batchSize)
             SELECT (SELECT min(seq) FROM old) AS first, coalesce((SELECT max(seq) FROM old WHERE total <= :batchSize), (SELECT min(seq) FROM old)) AS last`,
            transaction,
            { batchSize },
          );
          if (span?.first === null || span?.first === undefined) return undefined;
          const first = Number(span.first);
          const last = Number(span.last);
          const start = await one<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = :seq', transaction, { seq: last + 1 });
          return throughDoor(transaction, async () => {
            await sequelize.query(checkpointInsert(signCheckpoint(last + 1, start!.hash, key)), { transaction });
            const gone = { user_actions: 0, user_action_changes: 0 };
            for (const table of TABLES) gone[table] = await deleteRows(table, transaction, first, last);
            await sequelize.query('DELETE FROM audit_chain WHERE seq BETWEEN :first AND :last', { transaction, replacements: { first, last } });
            await sequelize.query('DELETE FROM audit_checkpoints WHERE seq <= :last', { transaction, replacements: { last } });
            return gone;
          });
        });
        if (step === undefined) break;
        for (const table of TABLES) deleted[table] += step[table];
      }
      return deleted;
    },
  };

  /** The rows of `table` in the batches of links first–last: within their span of ids, by their batch numbers. */
  function deleteRows(table: ChainedTable, transaction: Transaction, first: number, last: number): Promise<number> {
    const links = `FROM audit_chain WHERE row_table = :table AND seq BETWEEN :first AND :last`;
    return deleteCounting(
      sequelize,
      transaction,
      `DELETE FROM ${table} WHERE id BETWEEN (SELECT min(first_id) ${links}) AND (SELECT max(last_id) ${links}) AND chain_seq IN (SELECT batch ${links})`,
      { first, last, table },
    );
  }
}
