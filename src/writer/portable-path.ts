import type { SqliteChain } from '../integrity/sqlite-chain.js';
import type { Models } from '../store/models.js';
import { toRow } from '../store/user-action-row.js';
import { bulkWriter } from './bulk-writer.js';
import type { RowWriter } from './row-writer.js';

/** Requests' rows on any dialect Sequelize speaks (SQLite): `ignoreDuplicates` skips an event id already stored. */
export function portablePath(models: Models, chain?: SqliteChain): RowWriter {
  return bulkWriter(models.UserAction, 'user_actions', ({ id, event }) => toRow(event, id), chain);
}
