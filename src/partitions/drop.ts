import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { PARTITIONED_TABLES, partitionsOf } from './catalog.js';

/** How long a drop waits for a table's lock: a long reader must not stall the writers queued behind the drop. */
const DROP_LOCK_TIMEOUT_MS = 5_000;

/**
 * Transactions that drop partitions at once. Most of a drop's time is its commit, where PostgreSQL frees
 * each dropped file after releasing the locks (docs/partitioning.md, "Where a drop's time goes"): while
 * one commit frees files, the next drop can take the lock, so four commits free files together. Eight
 * were not clearly faster, and kept writers waiting longer.
 */
const DROP_TRANSACTIONS = 4;

/**
 * Drops the partitions of each trail table that end at or before the cut-off, and resolves to how many
 * went. A partition that may hold rows of the tamper-evidence chain stays, for the chained drop
 * (src/partitions/drop-chained.ts) or the chain's own prune to take: the table's oldest chained batch
 * begins at its `first_id`, and ids only grow.
 */
export async function dropPartitionsBefore(sequelize: Sequelize, cutoff: Date, signal: AbortSignal | undefined): Promise<number> {
  // Partitions of user_actions first, then of user_action_changes, so that every transaction takes the two
  // tables' locks in the same order.
  const droppable: string[] = [];
  for (const table of PARTITIONED_TABLES) {
    // A plain table has no partitions.
    const partitions = await partitionsOf(sequelize, table);
    const chainStart = partitions.length === 0 ? null : await firstChainedId(sequelize, table);
    for (const { name, to } of partitions) {
      if (to === null || to > cutoff) break;
      if (chainStart !== null) {
        const [{ last } = { last: null }] = await sequelize.query<{ last: string | null }>(`SELECT max(id) AS last FROM ${name}`, { type: QueryTypes.SELECT });
        if (last !== null && Number(last) >= chainStart) break;
      }
      droppable.push(name);
    }
  }
  if (signal?.aborted) return 0;
  await dropTables(sequelize, droppable);
  return droppable.length;
}

/**
 * Drops the tables in up to DROP_TRANSACTIONS transactions at once, in the order given within each. What
 * one transaction dropped stays dropped when another fails, as a prune's batches do; the first failure
 * is thrown once all have ended.
 */
export async function dropTables(sequelize: Sequelize, names: readonly string[]): Promise<void> {
  const groups = Array.from({ length: Math.min(DROP_TRANSACTIONS, names.length) }, (_, i) => names.filter((_, j) => j % DROP_TRANSACTIONS === i));
  const dropped = await Promise.allSettled(groups.map((group) => dropInOneTransaction(sequelize, group)));
  const failed = dropped.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Bounds how long `transaction` waits for a trail table's lock, as every drop does. */
export function limitLockWait(sequelize: Sequelize, transaction: Transaction): Promise<unknown> {
  return sequelize.query(`SET LOCAL lock_timeout = ${DROP_LOCK_TIMEOUT_MS}`, { transaction });
}

/** One statement, one commit: each DROP of its own would pay a commit and the parent's lock again. */
async function dropInOneTransaction(sequelize: Sequelize, names: readonly string[]): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await limitLockWait(sequelize, transaction);
    await sequelize.query(`DROP TABLE ${names.join(', ')}`, { transaction });
  });
}

async function firstChainedId(sequelize: Sequelize, table: string): Promise<number | null> {
  const [{ first } = { first: null }] = await sequelize.query<{ first: string | null }>('SELECT min(first_id) AS first FROM audit_chain WHERE row_table = :table', {
    type: QueryTypes.SELECT,
    replacements: { table },
  });
  return first === null ? null : Number(first);
}
