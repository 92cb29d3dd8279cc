import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Logger } from '../logger.js';
import { appendOnlyTrigger, defaultPartitionOf, initialPartitionOf, isPartitioned, PARTITIONED_TABLES } from './catalog.js';
import { intervalStart, nextStart } from './intervals.js';
import type { PartitioningConfig } from './options.js';

/**
 * Makes each trail table range-partitioned on "timestamp", once; the caller holds the migrations lock.
 * The table as it is becomes the first partition, from MINVALUE to the end of the interval of its
 * newest row (at least to the start of the current one): a CHECK constraint, validated by one scan,
 * lets ATTACH skip its own scan, and nothing is rewritten. The unique keys gain "timestamp", which
 * PostgreSQL requires of a partitioned table's unique keys, so those two are built on the old table;
 * its other indexes are reused as they are.
 */
export async function partitionTables(sequelize: Sequelize, config: PartitioningConfig, logger: Logger, now = new Date()): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    const started = Date.now();
    const converted = await sequelize.transaction(async (transaction) => {
      if (await isPartitioned(sequelize, table, transaction)) return false;
      await convert(sequelize, table, config, transaction, now);
      return true;
    });
    if (converted) logger.info(`partitioned ${table} by ${config.interval} in ${Date.now() - started} ms`);
  }
}

async function convert(sequelize: Sequelize, table: string, config: PartitioningConfig, transaction: Transaction, now: Date): Promise<void> {
  const run = (sql: string, replacements?: Record<string, unknown>) => sequelize.query(sql, { transaction, replacements });
  const select = <T extends object>(sql: string) => sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements: { table } });
  const initial = initialPartitionOf(table);

  await run(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  const [{ newest } = { newest: null }] = await select<{ newest: Date | null }>(`SELECT max("timestamp") AS newest FROM ${table}`);
  const current = intervalStart(config.interval, now);
  const afterNewest = newest && nextStart(config.interval, intervalStart(config.interval, newest));
  const bound = afterNewest && afterNewest > current ? afterNewest : current;
  const indexes = await select<{ name: string; definition: string; unique: boolean; primary: boolean }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisunique AS unique, i.indisprimary AS primary
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass(:table)`,
  );
  const [{ sequence } = { sequence: null }] = await select<{ sequence: string | null }>(`SELECT pg_get_serial_sequence(:table, 'id') AS sequence`);

  await run(`ALTER TABLE ${table} RENAME TO ${initial}`);
  for (const { name } of indexes) await run(`ALTER INDEX ${name} RENAME TO ${name}_initial`);
  await run(`CREATE TABLE ${table} (LIKE ${initial} INCLUDING ALL EXCLUDING INDEXES) PARTITION BY RANGE ("timestamp")`);
  // Not a primary key: the old table keeps its own, and a table may have only one.
  await run(`CREATE UNIQUE INDEX ux_${table}_id ON ${table} (id, "timestamp")`);
  for (const { definition, unique, primary } of indexes) {
    if (primary) continue;
    const onParent = definition.replace(/ ON \S+ USING /, ` ON ${table} USING `);
    await run(unique && !/"timestamp"|\btimestamp\b/.test(onParent) ? onParent.replace(/\)$/, ', "timestamp")') : onParent);
  }
  // The sequence belonged to the old table's column: it must not go when that partition is dropped.
  if (sequence) await run(`ALTER SEQUENCE ${sequence} OWNED BY ${table}.id`);
  await run(`ALTER TABLE ${initial} ADD CONSTRAINT ${initial}_bound CHECK ("timestamp" < :bound)`, { bound });
  await run(`ALTER TABLE ${table} ATTACH PARTITION ${initial} FOR VALUES FROM (MINVALUE) TO (:bound)`, { bound });
  await run(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_protect_user_actions()`);
  await run(`CREATE TABLE ${defaultPartitionOf(table)} PARTITION OF ${table} DEFAULT`);
  await run(appendOnlyTrigger(defaultPartitionOf(table)));
}
