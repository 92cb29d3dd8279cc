import type { Models } from '../store/models.js';
import { toRow } from '../store/user-action-row.js';
import type { RowWriter } from './row-writer.js';

/**
 * Any dialect Sequelize speaks: one multi-row INSERT through bulkCreate. `ignoreDuplicates` skips an
 * event id already stored (ON CONFLICT DO NOTHING, INSERT OR IGNORE on SQLite).
 */
export function portablePath(models: Models): RowWriter {
  return async (entries) => {
    await models.UserAction.bulkCreate(
      entries.map(({ id, event }) => toRow(event, id)),
      { ignoreDuplicates: true, validate: false, hooks: false, returning: false },
    );
  };
}
