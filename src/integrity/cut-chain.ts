import type { KeyObject } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { deleteCounting } from '../store/delete-counting.js';
import type { ChainedTable } from './canonical.js';
import { checkpointInsert, signCheckpoint } from './checkpoint.js';

/** Rows of each chained table. */
export type PerTable = Record<ChainedTable, number>;

export const CHAINED_TABLES: readonly ChainedTable[] = ['user_actions', 'user_action_changes'];

/**
 * The last link a prune with this `:cutoff` may delete: the newest written before the cut-off, below the
 * head so that the chain keeps a start; null when none is to go.
 */
export const LAST_OLD_LINK = `SELECT max(seq) AS seq FROM audit_chain WHERE created_at < :cutoff AND seq < (SELECT max(seq) FROM audit_chain)`;

/**
 * Makes link `last + 1` the chain's first, inside `transaction` with the prune door open: records a
 * checkpoint on it (signed when a key is given), then deletes the rows still stored of the batches up
 * to `last`, their links and the checkpoints before it, so that the committed state verifies. Resolves
 * to the rows deleted.
 */
export async function cutChainAfter(sequelize: Sequelize, transaction: Transaction, last: number, key: KeyObject | undefined): Promise<PerTable> {
  const [start] = await sequelize.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = :seq', {
    type: QueryTypes.SELECT,
    transaction,
    replacements: { seq: last + 1 },
  });
  await sequelize.query(checkpointInsert(signCheckpoint(last + 1, start!.hash, key)), { transaction });
  const gone = { user_actions: 0, user_action_changes: 0 };
  for (const table of CHAINED_TABLES) gone[table] = await deleteRows(sequelize, transaction, table, last);
  await sequelize.query('DELETE FROM audit_chain WHERE seq <= :last', { transaction, replacements: { last } });
  await sequelize.query('DELETE FROM audit_checkpoints WHERE seq <= :last', { transaction, replacements: { last } });
  return gone;
}

/** The rows of `table` in the batches of links up to `last`: within their span of ids, by their batch numbers. */
function deleteRows(sequelize: Sequelize, transaction: Transaction, table: ChainedTable, last: number): Promise<number> {
  const links = `FROM audit_chain WHERE row_table = :table AND seq <= :last`;
  return deleteCounting(
    sequelize,
    transaction,
    `DELETE FROM ${table} WHERE id BETWEEN (SELECT min(first_id) ${links}) AND (SELECT max(last_id) ${links}) AND chain_seq IN (SELECT batch ${links})`,
    { last, table },
  );
}
