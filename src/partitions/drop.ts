import { QueryTypes, type Sequelize } from 'sequelize';
import { isPartitioned, PARTITIONED_TABLES, partitionsOf } from './catalog.js';

/** How long a drop waits for a table's lock: a long reader must not stall the writers queued behind the drop. */
const DROP_LOCK_TIMEOUT_MS = 5_000;

/**
 * Drops the partitions of each trail table that end at or before the cut-off, all at once, and resolves
 * to how many went. A partition that may hold rows of the tamper-evidence chain stays, for the chain's
 * own prune to take row by row: the table's oldest chained batch begins at its `first_id`, and ids only
 * grow.
 */
export async function dropPartitionsBefore(sequelize: Sequelize, cutoff: Date, signal: AbortSignal | undefined): Promise<number> {
  const droppable: string[] = [];
  for (const table of PARTITIONED_TABLES) {
    if (!(await isPartitioned(sequelize, table))) continue;
    const chainStart = await firstChainedId(sequelize, table);
    for (const { name, to } of await partitionsOf(sequelize, table)) {
      if (to === null || to > cutoff) break;
      if (chainStart !== null) {
        const [{ last } = { last: null }] = await sequelize.query<{ last: string | null }>(`SELECT max(id) AS last FROM ${name}`, { type: QueryTypes.SELECT });
        if (last !== null && Number(last) >= chainStart) break;
      }
      droppable.push(name);
    }
  }
  if (droppable.length === 0 || signal?.aborted) return 0;
  // One statement, one commit: each DROP of its own would pay a commit and the parent's lock again.
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(`SET LOCAL lock_timeout = ${DROP_LOCK_TIMEOUT_MS}`, { transaction });
    await sequelize.query(`DROP TABLE ${droppable.join(', ')}`, { transaction });
  });
  return droppable.length;
}

async function firstChainedId(sequelize: Sequelize, table: string): Promise<number | null> {
  const [{ first } = { first: null }] = await sequelize.query<{ first: string | null }>('SELECT min(first_id) AS first FROM audit_chain WHERE row_table = :table', {
    type: QueryTypes.SELECT,
    replacements: { table },
  });
  return first === null ? null : Number(first);
}
