import { DataTypes } from 'sequelize';
import { LOCK_KEYS } from '../src/store/advisory-lock.js';
import type { Migration } from './migration.js';

/** The link's hash, as src/integrity/chain.ts computes it: SHA-256 over `prev_hash:seq:row_count:digest`. */
const LINK_HASH = `encode(sha256(convert_to(prev || ':' || next_seq || ':' || rows_stored || ':' || batch_digest, 'UTF8')), 'hex')`;

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
      // lock_timeout ends a wait for the chain before the writer's own 15 s query timeout does.
      `CREATE FUNCTION audit_trail_chain_append(batch_no bigint, rows_stored bigint, first_row bigint, last_row bigint, batch_digest text)
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
         hash := ${LINK_HASH};
         INSERT INTO audit_chain (seq, batch, row_count, digest, prev_hash, hash, first_id, last_id, created_at)
           VALUES (next_seq, batch_no, rows_stored, batch_digest, prev, hash, first_row, last_row, now());
         RETURN NEXT;
       END $$`,
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
