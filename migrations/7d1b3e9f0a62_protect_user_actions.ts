import type { Migration, MigrationContext } from './migration.js';

/** The transaction-local setting that opens the prune door on PostgreSQL. */
export const PRUNE_SETTING = 'audit_trail.allow_prune';
/** Its SQLite counterpart: a row here, inserted and removed inside prune's own transaction. */
export const PRUNE_DOOR_TABLE = 'audit_trail_prune_door';

const REFUSAL = 'user_actions is append-only: UPDATE and DELETE are refused (only audit-trail prune may delete old rows; see the README, "Immutability")';

const POSTGRES_UP = [
  `CREATE FUNCTION audit_trail_protect_user_actions() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' AND current_setting('${PRUNE_SETTING}', true) = 'on' THEN
       RETURN NULL;
     END IF;
     RAISE EXCEPTION '${REFUSAL}' USING ERRCODE = 'insufficient_privilege', DETAIL = TG_OP || ' on user_actions';
   END $$`,
  // Statement-level: one check per statement, so a 10,000-row prune batch pays it once.
  `CREATE TRIGGER user_actions_append_only BEFORE UPDATE OR DELETE ON user_actions
   FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_protect_user_actions()`,
];
const POSTGRES_DOWN = ['DROP TRIGGER IF EXISTS user_actions_append_only ON user_actions', 'DROP FUNCTION IF EXISTS audit_trail_protect_user_actions()'];

const SQLITE_UP = [
  `CREATE TABLE ${PRUNE_DOOR_TABLE} (opened INTEGER NOT NULL)`,
  `CREATE TRIGGER user_actions_no_update BEFORE UPDATE ON user_actions
   BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
  `CREATE TRIGGER user_actions_no_delete BEFORE DELETE ON user_actions
   WHEN NOT EXISTS (SELECT 1 FROM ${PRUNE_DOOR_TABLE})
   BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
];
const SQLITE_DOWN = ['DROP TRIGGER IF EXISTS user_actions_no_delete', 'DROP TRIGGER IF EXISTS user_actions_no_update', `DROP TABLE IF EXISTS ${PRUNE_DOOR_TABLE}`];

async function run({ sequelize }: MigrationContext, statements: { postgres: string[]; sqlite: string[] }): Promise<void> {
  const dialect = sequelize.getDialect();
  if (dialect !== 'postgres' && dialect !== 'sqlite') throw new Error(`user_actions protection is written for PostgreSQL and SQLite, not ${dialect}`);
  for (const sql of statements[dialect]) await sequelize.query(sql);
}

export const protectUserActions: Migration = {
  name: '7d1b3e9f0a62_protect_user_actions',
  description: 'Refuse UPDATE and DELETE on user_actions with triggers; prune alone deletes, through a transaction-local door',
  up: (context) => run(context, { postgres: POSTGRES_UP, sqlite: SQLITE_UP }),
  down: (context) => run(context, { postgres: POSTGRES_DOWN, sqlite: SQLITE_DOWN }),
};
