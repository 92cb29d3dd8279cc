import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

export const ROUNDS_TABLE = 'audit_trail_rounds';

/**
 * When each scheduled job last ran, by the database's clock: processes whose timers are out of step
 * read it to leave a round to whichever of them claimed it first (src/query/retention.ts).
 */
export const addJobRounds: Migration = {
  name: '3f8a6c2d19e4_add_job_rounds',
  description: 'Add audit_trail_rounds: when each scheduled job last ran, so that many processes run it once per round',
  async up({ queryInterface }) {
    await queryInterface.createTable(ROUNDS_TABLE, {
      job: { type: DataTypes.STRING(50), primaryKey: true, allowNull: false },
      ran_at_ms: { type: DataTypes.BIGINT, allowNull: false },
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable(ROUNDS_TABLE);
  },
};
