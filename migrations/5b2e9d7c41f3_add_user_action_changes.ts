import { DataTypes } from 'sequelize';
import { jsonType } from '../src/store/json-type.js';
import type { Migration, MigrationContext } from './migration.js';

const TABLE = 'user_action_changes';

// The same refusal as user_actions (7d1b3e9f0a62): the function it created, and on SQLite its prune door.
const POSTGRES_UP = [
  `CREATE TRIGGER user_action_changes_append_only BEFORE UPDATE OR DELETE ON ${TABLE}
   FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_protect_user_actions()`,
];
const SQLITE_UP = [
  `CREATE TRIGGER user_action_changes_no_update BEFORE UPDATE ON ${TABLE}
   BEGIN SELECT RAISE(ABORT, '${TABLE} is append-only: UPDATE and DELETE are refused'); END`,
  `CREATE TRIGGER user_action_changes_no_delete BEFORE DELETE ON ${TABLE}
   WHEN NOT EXISTS (SELECT 1 FROM audit_trail_prune_door)
   BEGIN SELECT RAISE(ABORT, '${TABLE} is append-only: UPDATE and DELETE are refused'); END`,
];

async function protect({ sequelize }: MigrationContext): Promise<void> {
  for (const sql of sequelize.getDialect() === 'postgres' ? POSTGRES_UP : SQLITE_UP) await sequelize.query(sql);
}

/**
 * Who changed what: one row per committed write through a model the host tracks (src/changes/). Its own
 * table, so that nothing in user_actions changes; `change_id` makes retried and replayed batches harmless.
 * Depends only on 7d1b3e9f0a62, so it may run before or after any other migration added since.
 */
export const addUserActionChanges: Migration = {
  name: '5b2e9d7c41f3_add_user_action_changes',
  description: 'Add user_action_changes (model writes tied to their request), append-only, indexed by request and by record',
  async up(context) {
    const { queryInterface, sequelize } = context;
    await queryInterface.createTable(TABLE, {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
      change_id: { type: DataTypes.UUID, allowNull: false },
      event_id: { type: DataTypes.UUID, allowNull: true },
      request_id: { type: DataTypes.STRING(100), allowNull: true },
      timestamp: { type: DataTypes.DATE, allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: false },
      username: { type: DataTypes.STRING(255), allowNull: false },
      model: { type: DataTypes.STRING(255), allowNull: false },
      table_name: { type: DataTypes.STRING(255), allowNull: false },
      record_id: { type: DataTypes.TEXT, allowNull: true },
      operation: { type: DataTypes.STRING(20), allowNull: false },
      changes: { type: jsonType(sequelize), allowNull: false },
    });
    await queryInterface.addIndex(TABLE, ['change_id'], { name: `ux_${TABLE}_change_id`, unique: true });
    // "Everything request X changed", and "the history of record M:42, newest first".
    await queryInterface.addIndex(TABLE, ['event_id'], { name: `ix_${TABLE}_event_id` });
    await queryInterface.addIndex(TABLE, ['request_id'], { name: `ix_${TABLE}_request_id` });
    await queryInterface.addIndex(TABLE, ['model', 'record_id', 'timestamp'], { name: `ix_${TABLE}_record` });
    await protect(context);
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable(TABLE);
  },
};
