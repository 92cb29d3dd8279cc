import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isDroppablePartitionName, PARTITIONED_TABLES } from './catalog.js';

/** What a prune writes on a partition it detaches, in the same transaction: only a table carrying it is ever dropped as its orphan. */
const DETACHED_MARK = 'audit-trail: detached by prune, to be dropped';

/** Detaches `name` from `table` and marks it, so that a prune that stops before the drop leaves it findable. */
export async function detachPartition(sequelize: Sequelize, transaction: Transaction, table: string, name: string): Promise<void> {
  await sequelize.query(`ALTER TABLE ${table} DETACH PARTITION ${name}`, { transaction });
  await sequelize.query(`COMMENT ON TABLE ${name} IS '${DETACHED_MARK}'`, { transaction });
}

/**
 * The tables a prune detached and has not dropped yet: those it detached just now, and any a prune that
 * crashed or failed between its commit and its drop left behind. Strict, so that no other table goes: in
 * the trail tables' schema, named as their partitions are, attached to nothing, and marked.
 */
export async function detachedPartitions(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string; reference: string }>(
    `SELECT c.relname AS name, c.oid::regclass::text AS reference FROM pg_class c
     WHERE c.relkind = 'r' AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = to_regclass('user_actions'))
       AND obj_description(c.oid, 'pg_class') = :mark AND NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = c.oid)
     ORDER BY c.relname`,
    { type: QueryTypes.SELECT, replacements: { mark: DETACHED_MARK } },
  );
  return rows.filter(({ name }) => PARTITIONED_TABLES.some((table) => isDroppablePartitionName(table, name))).map(({ reference }) => reference);
}
