import { Sequelize, type Model, type ModelStatic } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { silentLogger } from '../../src/logger.js';
import { createMigrator, HISTORY_TABLE, migrateToLatest } from '../../src/store/migrate.js';
import { defineModels, USER_ACTION_INDEXES } from '../../src/store/models.js';
import { useTestDatabase } from '../support/database.js';
import { catalogSnapshot } from '../support/schema.js';

const database = useTestDatabase();
let sequelize: Sequelize;

beforeAll(() => {
  sequelize = new Sequelize(database.url, { logging: false });
});
afterAll(() => sequelize.close());

describe('migration list', () => {
  it('has unique revision ids, each carried in the migration name', () => {
    const ids = MIGRATIONS.map((m) => m.name.split('_')[0]);
    expect(ids).toEqual([
      '94cef3eb6eae',
      'b857e3e16921',
      '2c5e8f1a9d34',
      '7d1b3e9f0a62',
      'e6f1c3a8b207',
      '5b2e9d7c41f3',
      '3f8a6c2d19e4',
      'a41c7e2b9d58',
      'c4d8a2e61f97',
      '8b3f1d6e2a95',
      'f2a7c9e4b613',
      'd95b7e2c04a8',
      'e8c3a5d1f027',
    ]);
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it('gives every migration a description, an up and a down', () => {
    for (const migration of MIGRATIONS) {
      expect(migration.description.trim().length, migration.name).toBeGreaterThan(10);
      expect(typeof migration.up).toBe('function');
      expect(typeof migration.down).toBe('function');
    }
  });
});

describe('migrations on PostgreSQL', () => {
  it('upgrade, downgrade to zero and upgrade again leave an identical schema', async () => {
    const migrator = createMigrator(sequelize, silentLogger);
    expect(await migrateToLatest(sequelize, silentLogger, 10_000)).toEqual(MIGRATIONS.map((m) => m.name));
    const first = await catalogSnapshot(sequelize);
    expect(first.columns.length).toBe(49); // user_actions 17, author 2, audit_chain 10, audit_checkpoints 5, user_action_changes 13, audit_trail_rounds 2
    expect(first.triggers).toHaveLength(8); // the append-only triggers of user_actions, audit_chain, audit_checkpoints and user_action_changes, on UPDATE and on DELETE
    expect(first.functions).toHaveLength(3); // two trigger functions and audit_trail_chain_append

    await migrator.down({ to: 0 });
    const empty = await catalogSnapshot(sequelize);
    expect(empty.columns).toEqual([]);
    expect(empty.indexes).toEqual([]);
    expect(empty.triggers).toEqual([]);
    expect(empty.functions).toEqual([]);

    await migrateToLatest(sequelize, silentLogger, 10_000);
    expect(await catalogSnapshot(sequelize)).toEqual(first);
  });

  it('drops the user_id index that the composites serve, and restores it on the way down', async () => {
    const userIdIndexes = async () => {
      const [rows] = await sequelize.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'user_actions' AND indexdef LIKE '%(user_id%' ORDER BY indexname`);
      return rows.map((row) => (row as { indexname: string }).indexname);
    };
    expect(await userIdIndexes()).toEqual(['idx_user_action', 'idx_user_timestamp']);
    const migrator = createMigrator(sequelize, silentLogger);
    await migrator.down({ step: 1 });
    expect(await userIdIndexes()).toEqual(['idx_user_action', 'idx_user_timestamp', 'ix_user_actions_user_id']);
    await migrateToLatest(sequelize, silentLogger, 10_000);
    expect(await userIdIndexes()).toEqual(['idx_user_action', 'idx_user_timestamp']);
  });

  it('keeps a linear history in its own table, never SequelizeMeta', async () => {
    const [tables] = await sequelize.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.map((t) => (t as { tablename: string }).tablename)).toEqual([
      'audit_chain',
      'audit_checkpoints',
      HISTORY_TABLE,
      'audit_trail_rounds',
      'author',
      'user_action_changes',
      'user_actions',
    ]);
    const applied = (await createMigrator(sequelize, silentLogger).executed()).map((m) => m.name);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('creates the reference columns, types, nullability and lengths', async () => {
    const { columns } = await catalogSnapshot(sequelize);
    const userActions = columns
      .map((c) => c as Record<string, unknown>)
      .filter((c) => c.table_name === 'user_actions')
      .map((c) => [c.column_name, c.data_type, c.character_maximum_length, c.is_nullable]);
    expect(userActions).toEqual([
      ['id', 'integer', null, 'NO'],
      ['timestamp', 'timestamp with time zone', null, 'NO'],
      ['user_id', 'character varying', 255, 'NO'],
      ['username', 'character varying', 255, 'NO'],
      ['user_roles', 'jsonb', null, 'NO'],
      ['action_type', 'character varying', 100, 'NO'],
      ['resource', 'character varying', 500, 'NO'],
      ['outcome', 'character varying', 50, 'NO'],
      ['ip_address', 'character varying', 45, 'YES'],
      ['user_agent', 'text', null, 'YES'],
      ['request_id', 'character varying', 100, 'YES'],
      ['request_data', 'jsonb', null, 'YES'],
      ['response_status', 'integer', null, 'YES'],
      ['error_message', 'text', null, 'YES'],
      ['duration_ms', 'integer', null, 'YES'],
      ['event_id', 'uuid', null, 'YES'],
      ['chain_seq', 'bigint', null, 'YES'],
    ]);
  });

  it('keeps the models and the migrated schema in step', async () => {
    const models = defineModels(sequelize);
    const queryInterface = sequelize.getQueryInterface();
    for (const model of [models.UserAction, models.Author] as ModelStatic<Model>[]) {
      const table = await queryInterface.describeTable(model.getTableName() as string);
      const attributes = model.getAttributes();
      expect(Object.keys(attributes).sort(), model.name).toEqual(Object.keys(table).sort());
      for (const [name, attribute] of Object.entries(attributes)) {
        const column = table[name]!;
        const modelType = (typeof attribute.type === 'string' ? attribute.type : (attribute.type as { toSql(): string }).toSql()).replace('VARCHAR', 'CHARACTER VARYING');
        expect(column.type, `${model.name}.${name}`).toBe(modelType);
        expect(column.allowNull, `${model.name}.${name} nullability`).toBe(attribute.allowNull ?? !attribute.primaryKey);
      }
    }
    const [indexes] = await sequelize.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'user_actions' AND indexname <> 'user_actions_pkey' ORDER BY indexname`);
    expect(indexes.map((i) => (i as { indexname: string }).indexname)).toEqual(USER_ACTION_INDEXES.map((i) => i.name).sort());
  });

  it('compresses large request bodies and data changes with lz4, which this server has', async () => {
    const [columns] = await sequelize.query(
      `SELECT attrelid::regclass::text AS "table", attname AS "column", attcompression AS compression FROM pg_attribute
       WHERE attname IN ('request_data', 'changes') AND attrelid IN ('user_actions'::regclass, 'user_action_changes'::regclass) ORDER BY 1`,
    );
    expect(columns).toEqual([
      { table: 'user_action_changes', column: 'changes', compression: 'l' },
      { table: 'user_actions', column: 'request_data', compression: 'l' },
    ]);
    const body = JSON.stringify({ text: 'Lorem ipsum dolor sit amet. '.repeat(2_000) });
    await sequelize.query(
      `INSERT INTO user_actions ("timestamp", user_id, username, user_roles, action_type, resource, outcome, request_data)
       VALUES (now(), 'u', 'u', '[]', 'POST', '/documents', 'success', :body)`,
      { replacements: { body } },
    );
    const [[stored]] = await sequelize.query(`SELECT pg_column_compression(request_data) AS compression FROM user_actions WHERE resource = '/documents'`);
    expect(stored).toEqual({ compression: 'lz4' });
  });

  it('creates composite indexes with their columns in order', async () => {
    const [rows] = await sequelize.query(`SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'idx_%' ORDER BY indexname`);
    expect(rows).toEqual([
      { indexname: 'idx_user_action', indexdef: expect.stringContaining('(user_id, action_type)') },
      { indexname: 'idx_user_timestamp', indexdef: expect.stringContaining('(user_id, "timestamp")') },
    ]);
  });
});
