import { DataTypes } from 'sequelize';
import { PRUNE_DOOR_TABLE, PRUNE_SETTING } from './7d1b3e9f0a62_protect_user_actions.js';
import type { Migration, MigrationContext } from './migration.js';

const REFUSAL = 'audit_chain and audit_checkpoints are append-only: UPDATE and DELETE are refused (see docs/integrity.md)';

/**
 * The tamper-evidence chain (docs/integrity.md): one link per stored batch, signed checkpoints of its
 * head, and each row's batch in `user_actions.chain_seq`. Nullable, so rows written before this
 * migration, or with the chain off, stay valid and are reported as unchained.
 */
export const addAuditChain: Migration = {
  name: 'e6f1c3a8b207_add_audit_chain',
  description: 'Add the audit_chain and audit_checkpoints tables and user_actions.chain_seq, for tamper evidence',
  async up(context) {
    const { queryInterface } = context;
    await queryInterface.addColumn('user_actions', 'chain_seq', { type: DataTypes.BIGINT, allowNull: true });
    await queryInterface.createTable('audit_chain', {
      seq: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
      row_count: { type: DataTypes.INTEGER, allowNull: false },
      digest: { type: DataTypes.STRING(64), allowNull: false },
      prev_hash: { type: DataTypes.STRING(64), allowNull: false },
      hash: { type: DataTypes.STRING(64), allowNull: false },
      // Where the batch's rows start and end, so that verifying from a seq need not scan what comes before.
      first_id: { type: DataTypes.BIGINT, allowNull: false },
      last_id: { type: DataTypes.BIGINT, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await queryInterface.createTable('audit_checkpoints', {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
      seq: { type: DataTypes.BIGINT, allowNull: false },
      hash: { type: DataTypes.STRING(64), allowNull: false },
      signed_at: { type: DataTypes.DATE, allowNull: false },
      signature: { type: DataTypes.TEXT, allowNull: true },
    });
    await queryInterface.addIndex('audit_checkpoints', ['seq'], { name: 'ix_audit_checkpoints_seq' });
    await protect(context, 'up');
  },
  async down(context) {
    await protect(context, 'down');
    await context.queryInterface.dropTable('audit_checkpoints');
    await context.queryInterface.dropTable('audit_chain');
    await context.queryInterface.removeColumn('user_actions', 'chain_seq');
  },
};

const TABLES = ['audit_chain', 'audit_checkpoints'];

/** The same append-only guard as user_actions', with the same prune door. */
async function protect({ sequelize }: MigrationContext, direction: 'up' | 'down'): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const statements: string[] = [];
  if (postgres && direction === 'up') {
    statements.push(`CREATE FUNCTION audit_trail_protect_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('${PRUNE_SETTING}', true) = 'on' THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION '${REFUSAL}' USING ERRCODE = 'insufficient_privilege', DETAIL = TG_OP || ' on ' || TG_TABLE_NAME;
      END $$`);
    for (const table of TABLES) {
      statements.push(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_protect_chain()`);
    }
  } else if (postgres) {
    for (const table of TABLES) statements.push(`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`);
    statements.push('DROP FUNCTION IF EXISTS audit_trail_protect_chain()');
  } else if (direction === 'up') {
    for (const table of TABLES) {
      statements.push(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`);
      statements.push(
        `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} WHEN NOT EXISTS (SELECT 1 FROM ${PRUNE_DOOR_TABLE}) BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
      );
    }
  } else {
    for (const table of TABLES) statements.push(`DROP TRIGGER IF EXISTS ${table}_no_update`, `DROP TRIGGER IF EXISTS ${table}_no_delete`);
  }
  for (const sql of statements) await sequelize.query(sql);
}
