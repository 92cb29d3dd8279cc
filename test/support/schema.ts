import type { Sequelize } from 'sequelize';

/** Columns, indexes, triggers and functions of the public schema as PostgreSQL's catalog describes them. */
export async function catalogSnapshot(sequelize: Sequelize) {
  const [columns] = await sequelize.query(`
    SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'audit_trail_migrations'
    ORDER BY table_name, ordinal_position`);
  const [indexes] = await sequelize.query(`
    SELECT tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> 'audit_trail_migrations'
    ORDER BY tablename, indexname`);
  const [triggers] = await sequelize.query(`
    SELECT event_object_table, trigger_name, event_manipulation, action_timing, action_orientation, action_statement
    FROM information_schema.triggers WHERE trigger_schema = 'public'
    ORDER BY event_object_table, trigger_name, event_manipulation`);
  const [functions] = await sequelize.query(`
    SELECT proname, prosecdef, pg_get_functiondef(p.oid) AS definition FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY proname`);
  return { columns, indexes, triggers, functions };
}
