import { DataTypes } from 'sequelize';
import { chainAppendFunction } from './c4d8a2e61f97_chain_batches.js';
import type { Migration } from './migration.js';

const OLD_APPEND = 'audit_trail_chain_append(bigint, bigint, bigint, bigint, text)';

/**
 * The chain covers change rows too (docs/integrity.md): each batch of user_action_changes rows carries
 * its batch number in `chain_seq`, like user_actions rows, and its link names the table in
 * `row_table`. Existing links are user_actions batches, the column's default. The append function takes
 * the table as a sixth argument that defaults to user_actions, so that a process still running the
 * previous version appends as before while the new one is rolled out. Change rows stored before this
 * migration keep a NULL `chain_seq`: unchained.
 */
export const chainChanges: Migration = {
  name: '8b3f1d6e2a95_chain_changes',
  description: 'Chain batches of user_action_changes rows too: their chain_seq, and the table each link covers',
  async up({ queryInterface, sequelize }) {
    await queryInterface.addColumn('user_action_changes', 'chain_seq', { type: DataTypes.BIGINT, allowNull: true });
    // A constant default: PostgreSQL records it without rewriting the rows, so the append-only trigger is not involved.
    await queryInterface.addColumn('audit_chain', 'row_table', { type: DataTypes.STRING(32), allowNull: false, defaultValue: 'user_actions' });
    if (sequelize.getDialect() !== 'postgres') return;
    // One query, and so one transaction: a writer never finds the function missing.
    await sequelize.query(`DROP FUNCTION ${OLD_APPEND}; ${chainAppendFunction(true)}`);
  },
  async down({ queryInterface, sequelize }) {
    if (sequelize.getDialect() === 'postgres') {
      await sequelize.query(`DROP FUNCTION audit_trail_chain_append(bigint, bigint, bigint, bigint, text, text); ${chainAppendFunction(false)}`);
    }
    await queryInterface.removeColumn('audit_chain', 'row_table');
    await queryInterface.removeColumn('user_action_changes', 'chain_seq');
  },
};
