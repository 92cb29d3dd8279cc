import type { Model, ModelStatic } from 'sequelize';
import type { ChainedTable } from '../integrity/canonical.js';
import type { SqliteChain } from '../integrity/sqlite-chain.js';
import type { QueuedEvent } from './queue.js';
import type { RowWriter } from './row-writer.js';

/** One row's values, as bulkCreate takes them; each model's own row type (an interface) is one. */
type RowValues = Parameters<ModelStatic<Model>['bulkCreate']>[0][number];

/** A row already stored is skipped (INSERT OR IGNORE on SQLite, ON CONFLICT DO NOTHING elsewhere); nothing is validated, hooked or read back. */
const BULK = { ignoreDuplicates: true, validate: false, hooks: false, returning: false } as const;

/**
 * Any dialect Sequelize speaks: one multi-row INSERT per batch through bulkCreate. With the chain on
 * (SQLite), the INSERT runs in the chain's transaction, on its connection, each row carrying its batch's number.
 */
export function bulkWriter<E>(model: ModelStatic<Model>, table: ChainedTable, rowOf: (entry: QueuedEvent<E>) => object, chain: SqliteChain | undefined): RowWriter<E> {
  if (!chain) {
    return async (entries) => {
      await model.bulkCreate(entries.map(rowOf) as RowValues[], BULK);
    };
  }
  return (entries) => {
    const rows = entries.map(rowOf) as Array<Record<string, unknown>>;
    return chain.store(table, rows, (connection, batch) =>
      model.bulkCreate(
        rows.map((row) => ({ ...row, chain_seq: batch })),
        { ...BULK, ...connection },
      ),
    );
  };
}
