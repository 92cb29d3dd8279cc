import { createPrivateKey } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { checkpointInsert, signCheckpoint } from './checkpoint.js';

/** The chain's part of a prune: whole batches only, each step leaving a checkpoint where the chain now starts. */
export interface ChainPrune {
  /** Rows in the batches a prune would delete now. */
  count(): Promise<number>;
  /**
   * Deletes the oldest whole batches stored before the cut-off, about `batchSize` rows per transaction,
   * and resolves to how many rows went. The newest batch always stays, so the chain keeps a start.
   */
  run(batchSize: number, signal: AbortSignal | undefined): Promise<number>;
}

/**
 * A batch is old when its link was written before the cut-off: its rows were recorded earlier still.
 * Each transaction records a checkpoint (signed when a key is given) on the link that becomes the
 * chain's first, then deletes the rows, links and checkpoints before it, so every committed state
 * verifies. `openDoor` opens the append-only triggers' prune door inside the transaction.
 */
export function chainPrune(sequelize: Sequelize, cutoff: Date, signingKeyPem: string | undefined, openDoor: (transaction: Transaction) => Promise<void>): ChainPrune {
  const key = signingKeyPem === undefined ? undefined : createPrivateKey(signingKeyPem);
  const one = async <T extends object>(sql: string, transaction?: Transaction, replacements: Record<string, unknown> = {}) =>
    (await sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements: { cutoff, ...replacements } }))[0];
  // The last old batch, kept below the head; null when nothing is to go.
  const lastOld = `SELECT least((SELECT max(seq) FROM audit_chain WHERE created_at < :cutoff), (SELECT max(seq) - 1 FROM audit_chain)) AS seq`;

  return {
    async count() {
      const row = await one<{ rows: string | null }>(`SELECT sum(row_count) AS rows FROM audit_chain WHERE seq <= (${lastOld})`);
      return Number(row?.rows ?? 0);
    },
    async run(batchSize, signal) {
      let deleted = 0;
      while (!signal?.aborted) {
        const step = await sequelize.transaction(async (transaction) => {
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
          await openDoor(transaction);
          await sequelize.query(checkpointInsert(signCheckpoint(last + 1, start!.hash, key)), { transaction });
          const gone = await one<{ deleted: string }>(
            `WITH span AS (SELECT min(first_id) AS low, max(last_id) AS high FROM audit_chain WHERE seq BETWEEN :first AND :last),
             gone AS (DELETE FROM user_actions WHERE id BETWEEN (SELECT low FROM span) AND (SELECT high FROM span) AND chain_seq IN (SELECT batch FROM audit_chain WHERE seq BETWEEN :first AND :last) RETURNING 1)
             SELECT count(*) AS deleted FROM gone`,
            transaction,
            { first, last },
          );
          await sequelize.query('DELETE FROM audit_chain WHERE seq BETWEEN :first AND :last', { transaction, replacements: { first, last } });
          await sequelize.query('DELETE FROM audit_checkpoints WHERE seq <= :last', { transaction, replacements: { last } });
          return Number(gone?.deleted ?? 0);
        });
        if (step === undefined) break;
        deleted += step;
      }
      return deleted;
    },
  };
}
