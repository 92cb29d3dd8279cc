import type { Migration } from './migration.js';

const INDEX = 'ix_user_actions_user_id';

/**
 * The reference's single-column index on user_id serves nothing that idx_user_timestamp and idx_user_action,
 * which both lead with user_id, do not: every filter on a user already uses idx_user_timestamp. Every insert
 * paid to keep it, about 5% of the database's CPU a row (docs/benchmarks.md). On a partitioned table,
 * dropping the parent's index drops its partitions' too.
 */
export const dropUserIdIndex: Migration = {
  name: 'e8c3a5d1f027_drop_user_id_index',
  description: 'Drop ix_user_actions_user_id, which the composite (user_id, …) indexes already serve',
  async up({ sequelize }) {
    await sequelize.query(`DROP INDEX IF EXISTS ${INDEX}`);
  },
  async down({ sequelize }) {
    await sequelize.query(`CREATE INDEX IF NOT EXISTS ${INDEX} ON user_actions (user_id)`);
  },
};
