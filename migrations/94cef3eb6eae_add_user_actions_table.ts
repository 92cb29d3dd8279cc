import { DataTypes } from 'sequelize';
import { jsonType } from '../src/store/json-type.js';
import type { Migration } from './migration.js';

const TABLE = 'user_actions';
const SINGLE_COLUMN_INDEXES = ['timestamp', 'user_id', 'username', 'action_type', 'outcome', 'request_id'];

/** A frozen snapshot of the reference's first revision; later changes get migrations of their own. */
export const addUserActionsTable: Migration = {
  name: '94cef3eb6eae_add_user_actions_table',
  description: 'Add user_actions table for audit logging, with its six single-column and two composite indexes',
  async up({ queryInterface, sequelize }) {
    const json = jsonType(sequelize);
    await queryInterface.createTable(TABLE, {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
      timestamp: { type: DataTypes.DATE, allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: false },
      username: { type: DataTypes.STRING(255), allowNull: false },
      user_roles: { type: json, allowNull: false },
      action_type: { type: DataTypes.STRING(100), allowNull: false },
      resource: { type: DataTypes.STRING(500), allowNull: false },
      outcome: { type: DataTypes.STRING(50), allowNull: false },
      ip_address: { type: DataTypes.STRING(45), allowNull: true },
      user_agent: { type: DataTypes.TEXT, allowNull: true },
      request_id: { type: DataTypes.STRING(100), allowNull: true },
      request_data: { type: json, allowNull: true },
      response_status: { type: DataTypes.INTEGER, allowNull: true },
      error_message: { type: DataTypes.TEXT, allowNull: true },
      duration_ms: { type: DataTypes.INTEGER, allowNull: true },
    });
    for (const column of SINGLE_COLUMN_INDEXES) {
      await queryInterface.addIndex(TABLE, [column], { name: `ix_${TABLE}_${column}` });
    }
    await queryInterface.addIndex(TABLE, ['user_id', 'timestamp'], { name: 'idx_user_timestamp' });
    await queryInterface.addIndex(TABLE, ['user_id', 'action_type'], { name: 'idx_user_action' });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable(TABLE);
  },
};
