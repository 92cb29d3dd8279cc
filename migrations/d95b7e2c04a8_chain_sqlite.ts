import type { Migration } from './migration.js';

/** What c4d8a2e61f97 gave PostgreSQL's audit_chain, and SQLite's lacked while only PostgreSQL chained. */
const SQLITE_INDEXES = [
  // One link per batch number: rows find their link by it.
  ['ux_audit_chain_batch', 'CREATE UNIQUE INDEX ux_audit_chain_batch ON audit_chain (batch)'],
  // verify() walks the rows in id order, and opens each batch's link where its rows start.
  ['ix_audit_chain_first_id', 'CREATE INDEX ix_audit_chain_first_id ON audit_chain (first_id)'],
] as const;

/**
 * The embedded SQLite database chains too (docs/integrity.md): its writer numbers each batch with its
 * link's seq under SQLite's write lock, so it needs no sequence or function, only the indexes. No link
 * was ever written on SQLite before this migration. PostgreSQL has them already: nothing changes there.
 */
export const chainSqlite: Migration = {
  name: 'd95b7e2c04a8_chain_sqlite',
  description: 'SQLite: index audit_chain by batch (unique) and first_id, so that its writer and verify() chain as PostgreSQL does',
  async up({ sequelize }) {
    if (sequelize.getDialect() !== 'sqlite') return;
    for (const [, sql] of SQLITE_INDEXES) await sequelize.query(sql);
  },
  async down({ sequelize }) {
    if (sequelize.getDialect() !== 'sqlite') return;
    for (const [name] of SQLITE_INDEXES) await sequelize.query(`DROP INDEX IF EXISTS ${name}`);
  },
};
