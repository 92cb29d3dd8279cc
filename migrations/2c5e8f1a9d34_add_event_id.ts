import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

const TABLE = 'user_actions';
const INDEX = 'ux_user_actions_event_id';

/**
 * Each event carries an id from the moment it is recorded. The unique index lets the writer retry an
 * ambiguous commit, or replay its spill file, with ON CONFLICT DO NOTHING: never a duplicate row.
 * Nullable, so rows from before this migration and the reference's own inserts stay valid.
 */
export const addEventId: Migration = {
  name: '2c5e8f1a9d34_add_event_id',
  description: 'Add user_actions.event_id, unique when set, so retried and replayed batches never duplicate rows',
  async up({ queryInterface }) {
    await queryInterface.addColumn(TABLE, 'event_id', { type: DataTypes.UUID, allowNull: true });
    await queryInterface.addIndex(TABLE, ['event_id'], { name: INDEX, unique: true });
  },
  async down({ queryInterface }) {
    await queryInterface.removeIndex(TABLE, INDEX);
    await queryInterface.removeColumn(TABLE, 'event_id');
  },
};
