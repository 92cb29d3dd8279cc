import { addUserActionsTable } from './94cef3eb6eae_add_user_actions_table.js';
import { addAuthorTable } from './b857e3e16921_add_author_table.js';
import { addEventId } from './2c5e8f1a9d34_add_event_id.js';
import { protectUserActions } from './7d1b3e9f0a62_protect_user_actions.js';
import { addUserActionChanges } from './5b2e9d7c41f3_add_user_action_changes.js';
import { addAuditChain } from './e6f1c3a8b207_add_audit_chain.js';
import { chainBatches } from './c4d8a2e61f97_chain_batches.js';
import { chainChanges } from './8b3f1d6e2a95_chain_changes.js';
import { chainSqlite } from './d95b7e2c04a8_chain_sqlite.js';
import { addJobRounds } from './3f8a6c2d19e4_add_job_rounds.js';
import { indexUserActionChangesTimestamp } from './a41c7e2b9d58_index_user_action_changes_timestamp.js';
import { compressJsonLz4 } from './f2a7c9e4b613_compress_json_lz4.js';
import { dropUserIdIndex } from './e8c3a5d1f027_drop_user_id_index.js';
import type { Migration } from './migration.js';

export type { Migration, MigrationContext } from './migration.js';

/**
 * Every migration, oldest first. An explicit list rather than a glob, so that the bundled `dist/`
 * runs them the same under ESM and CJS. Append only: a new column on user_actions must be nullable
 * or have a default, so that the reference's columns alone always make a valid row.
 */
export const MIGRATIONS: readonly Migration[] = [
  addUserActionsTable,
  addAuthorTable,
  addEventId,
  protectUserActions,
  addAuditChain,
  addUserActionChanges,
  addJobRounds,
  indexUserActionChangesTimestamp,
  chainBatches,
  chainChanges,
  compressJsonLz4,
  chainSqlite,
  dropUserIdIndex,
];
