import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** Runs one DELETE in `transaction` and resolves to how many rows it deleted, on PostgreSQL or SQLite. */
export async function deleteCounting(sequelize: Sequelize, transaction: Transaction, sql: string, replacements: Record<string, unknown>): Promise<number> {
  const count = async (select: string) =>
    Number((await sequelize.query<{ deleted: number | string }>(select, { type: QueryTypes.SELECT, transaction, replacements }))[0]?.deleted ?? 0);
  if (sequelize.getDialect() === 'postgres') return count(`WITH gone AS (${sql} RETURNING 1) SELECT count(*) AS deleted FROM gone`);
  await sequelize.query(sql, { transaction, replacements });
  // The rows the last statement deleted, not those its triggers did.
  return count('SELECT changes() AS deleted');
}
