import type { Migration } from './migration.js';

const TABLE = 'user_action_changes';
const INDEX = `ix_${TABLE}_timestamp`;

/**
 * Prune deletes change rows by age, batch after batch: without this index each batch would read the whole
 * table. Rows arrive in time order, so on PostgreSQL a BRIN index serves it at almost no cost to each insert.
 */
export const indexUserActionChangesTimestamp: Migration = {
  name: 'a41c7e2b9d58_index_user_action_changes_timestamp',
  description: 'Index user_action_changes by timestamp, for prune',
  async up({ queryInterface, sequelize }) {
    await queryInterface.addIndex(TABLE, ['timestamp'], { name: INDEX, ...(sequelize.getDialect() === 'postgres' ? { using: 'BRIN' } : {}) });
  },
  async down({ queryInterface }) {
    await queryInterface.removeIndex(TABLE, INDEX);
  },
};
