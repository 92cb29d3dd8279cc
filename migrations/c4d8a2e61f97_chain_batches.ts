import { DataTypes } from 'sequelize';
import { LOCK_KEYS } from '../src/store/advisory-lock.js';
import type { Migration } from './migration.js';

/**
 * `audit_trail_chain_append` as this migration creates it, or (`withTable`) as 8b3f1d6e2a95 replaces it:
 * taking the table the batch went to, recording it in `row_table`, and hashing it into a change batch's
 * link as src/integrity/chain.ts does (SHA-256 over `prev_hash:seq:row_count:digest`, then
 * `:user_action_changes` for change rows). lock_timeout ends a wait for the chain before the writer's
 * own 15 s query timeout does.
 */
export function chainAppendFunction(withTable: boolean): string {
  const table = withTable ? `, batch_table text DEFAULT 'user_actions'` : '';
  const suffix = withTable ? ` || CASE WHEN batch_table = 'user_actions' THEN '' ELSE ':' || batch_table END` : '';
  return `CREATE FUNCTION audit_trail_chain_append(batch_no bigint, rows_stored bigint, first_row bigint, last_row bigint, batch_digest text${table})
       RETURNS TABLE (seq bigint, hash text) LANGUAGE plpgsql SET lock_timeout = '10s' AS $$
       DECLARE
         prev text := repeat('0', 64);
         next_seq bigint := 1;
       BEGIN
         IF rows_stored = 0 THEN RETURN; END IF;
         PERFORM pg_advisory_xact_lock(${LOCK_KEYS.chain});
         -- A statement of its own, after the lock: it sees the link the previous holder committed.
         SELECT c.seq + 1, c.hash INTO next_seq, prev FROM audit_chain c ORDER BY c.seq DESC LIMIT 1;
         IF NOT FOUND THEN next_seq := 1; prev := repeat('0', 64); END IF;
         seq := next_seq;
         hash := encode(sha256(convert_to(prev || ':' || next_seq || ':' || rows_stored || ':' || batch_digest${suffix}, 'UTF8')), 'hex');
         INSERT INTO audit_chain (seq, batch, row_count, digest, prev_hash, hash, first_id, last_id, created_at${withTable ? ', row_table' : ''})
           VALUES (next_seq, batch_no, rows_stored, batch_digest, prev, hash, first_row, last_row, now()${withTable ? ', batch_table' : ''});
         RETURN NEXT;
       END $$`;
}

/**
 * Batches insert their rows side by side and take turns only to append their link (docs/integrity.md,
 * "One chain, exactly once"). A row's `chain_seq` becomes its batch's number, drawn from a sequence
 * before the batch is stored; the link records it in `audit_chain.batch`, and its own gapless `seq` is
 * given under the chain's lock by `audit_trail_chain_append`, in the transaction of the batch's rows.
 * Links written before this migration keep their rows' numbers: their `batch` is their `seq`.
 */
export const chainBatches: Migration = {
  name: 'c4d8a2e61f97_chain_batches',
  description: 'Chain batches by a batch number, so that their rows are inserted in parallel and only the link is serialized',
  async up({ queryInterface, sequelize }) {
    await queryInterface.addColumn('audit_chain', 'batch', { type: DataTypes.BIGINT, allowNull: true });
    if (sequelize.getDialect() !== 'postgres') return;
    for (const sql of [
      'ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only',
      'UPDATE audit_chain SET batch = seq',
      'ALTER TABLE audit_chain ENABLE TRIGGER audit_chain_append_only',
      'ALTER TABLE audit_chain ALTER COLUMN batch SET NOT NULL',
      'CREATE UNIQUE INDEX ux_audit_chain_batch ON audit_chain (batch)',
      // verify() walks the rows in id order, and opens each batch's link where its rows start.
      'CREATE INDEX ix_audit_chain_first_id ON audit_chain (first_id)',
      'CREATE SEQUENCE audit_chain_batch_seq',
      `SELECT setval('audit_chain_batch_seq', (SELECT coalesce(max(seq), 0) + 1 FROM audit_chain), false)`,
      chainAppendFunction(false),
    ]) {
      await sequelize.query(sql);
    }
  },
  async down({ queryInterface, sequelize }) {
    if (sequelize.getDialect() === 'postgres') {
      await sequelize.query('DROP FUNCTION IF EXISTS audit_trail_chain_append(bigint, bigint, bigint, bigint, text)');
      await sequelize.query('DROP SEQUENCE IF EXISTS audit_chain_batch_seq');
      await sequelize.query('DROP INDEX IF EXISTS ix_audit_chain_first_id');
    }
    await queryInterface.removeColumn('audit_chain', 'batch');
  },
};
