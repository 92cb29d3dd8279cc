import type { SqliteChain } from '../integrity/sqlite-chain.js';
import type { Models } from '../store/models.js';
import { toRow } from '../store/user-action-row.js';
import type { RowWriter } from './row-writer.js';

const BULK = { ignoreDuplicates: true, validate: false, hooks: false, returning: false } as const;

/**
 * Any dialect Sequelize speaks: one multi-row INSERT through bulkCreate. `ignoreDuplicates` skips an
 * event id already stored (ON CONFLICT DO NOTHING, INSERT OR IGNORE on SQLite). With the chain on
 * (SQLite), the INSERT runs in the chain's transaction, on its connection, each row carrying its batch's number.
 */
export function portablePath(models: Models, chain?: SqliteChain): RowWriter {
  if (!chain) {
    return async (entries) => {
      await models.UserAction.bulkCreate(
        entries.map(({ id, event }) => toRow(event, id)),
        BULK,
      );
    };
  }
  return (entries) =>
    chain.store('user_actions', (connection, batch) =>
      models.UserAction.bulkCreate(
        entries.map(({ id, event }) => ({ ...toRow(event, id), chain_seq: batch })),
        { ...BULK, ...connection },
      ),
    );
}
