import type { Migration } from './migration.js';

/** The JSON columns that grow past PostgreSQL's TOAST threshold (2 KB): request bodies and data changes. */
const COLUMNS = [
  ['user_actions', 'request_data'],
  ['user_action_changes', 'changes'],
] as const;

/**
 * Large JSON values are compressed with lz4 instead of PostgreSQL's default pglz. For a 60 KB request
 * body pglz cost the database about 500 µs of CPU a row and lz4 about 70 µs, for the same size on disk;
 * on a machine where PostgreSQL shares the host's cores, that time comes off the host. Values already
 * stored keep their compression. A server older than 14, or built without lz4, keeps pglz: the block
 * does nothing there. A partitioned table's existing partitions are set too; new ones copy the parent.
 */
export const compressJsonLz4: Migration = {
  name: 'f2a7c9e4b613_compress_json_lz4',
  description: 'Compress large JSON values (request_data, changes) with lz4 where PostgreSQL supports it',
  async up({ sequelize }) {
    if (sequelize.getDialect() === 'postgres') await sequelize.query(setCompression('lz4'));
  },
  async down({ sequelize }) {
    if (sequelize.getDialect() === 'postgres') await sequelize.query(setCompression('pglz'));
  },
};

function setCompression(method: 'lz4' | 'pglz'): string {
  const alters = COLUMNS.map(
    ([table, column]) => `
    FOR relation IN SELECT '${table}'::regclass UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = '${table}'::regclass LOOP
      EXECUTE format('ALTER TABLE %s ALTER COLUMN ${column} SET COMPRESSION ${method}', relation);
    END LOOP;`,
  );
  return `DO $$
DECLARE relation regclass;
BEGIN
  IF current_setting('server_version_num')::int < 140000 THEN RETURN; END IF;${alters.join('')}
EXCEPTION WHEN feature_not_supported THEN NULL;
END $$`;
}
