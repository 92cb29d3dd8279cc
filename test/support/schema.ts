import type { Sequelize } from 'sequelize';

/** Columns and indexes of the public schema as PostgreSQL's catalog describes them. */
export async function catalogSnapshot(sequelize: Sequelize) {
  const [columns] = await sequelize.query(`
    SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'audit_trail_migrations'
    ORDER BY table_name, ordinal_position`);
  const [indexes] = await sequelize.query(`
    SELECT tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> 'audit_trail_migrations'
    ORDER BY tablename, indexname`);
  return { columns, indexes };
}
