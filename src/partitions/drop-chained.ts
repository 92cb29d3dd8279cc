import type { KeyObject } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { cutChainAfter, LAST_OLD_LINK, type PerTable } from '../integrity/cut-chain.js';
import { PARTITIONED_TABLES, partitionsOf, type Partition } from './catalog.js';
import { detachedPartitions, detachPartition } from './detached.js';
import { dropTables, limitLockWait } from './drop.js';

export interface ChainedDrop {
  /** Partitions dropped, of both tables: those detached now, and those a stopped prune left detached. */
  readonly partitionsDropped: number;
  /** Rows deleted one by one: those of the cut batches stored in partitions that stay. */
  readonly deleted: PerTable;
}

type Chosen = { readonly table: string; readonly name: string };

/**
 * Drops the partitions before the cut-off that hold rows of the tamper-evidence chain, cutting the chain
 * at a batch boundary. A partition is taken, oldest first, while every link that may have rows in it
 * (its span of ids meets the partition's) is one the chain's prune would delete: the last of those
 * links, M, is the chain's cut. A partition holding a newer batch (rows replayed from a spill days later
 * carry old timestamps but new links) stops its table's run, and stays.
 * One transaction, the prune door open (`throughDoor`), detaches the taken partitions, so that their rows
 * leave the chain's view at once, and cuts the chain after M (src/integrity/cut-chain.ts): a checkpoint
 * on M + 1, the few rows of batches up to M stored in later partitions, the links and checkpoints up to M.
 * Then the detached tables are dropped, out of any transaction that touches the trail tables.
 */
export async function dropChainedPartitionsBefore(
  sequelize: Sequelize,
  cutoff: Date,
  key: KeyObject | undefined,
  throughDoor: <T>(transaction: Transaction, work: () => Promise<T>) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<ChainedDrop> {
  const none = { user_actions: 0, user_action_changes: 0 };
  if (signal?.aborted) return { partitionsDropped: 0, deleted: none };
  const deleted = await sequelize.transaction(async (transaction) => {
    const [{ seq: lastOld } = { seq: null }] = await sequelize.query<{ seq: string | null }>(LAST_OLD_LINK, { type: QueryTypes.SELECT, transaction, replacements: { cutoff } });
    if (lastOld === null) return none;
    const old = await oldPartitions(sequelize, transaction, cutoff);
    // A first look without the lock: a round that finds nothing to take keeps no writer waiting.
    if (old.size === 0 || (await choose(sequelize, transaction, old, Number(lastOld))).last === undefined) return none;
    await limitLockWait(sequelize, transaction);
    // Writers wait from here to the commit, so that no row enters a partition between its choosing and its detaching.
    await sequelize.query(`LOCK TABLE ${[...old.keys()].join(', ')} IN SHARE MODE`, { transaction });
    const { chosen, last } = await choose(sequelize, transaction, old, Number(lastOld));
    if (last === undefined) return none;
    return throughDoor(transaction, async () => {
      for (const { table, name } of chosen) await detachPartition(sequelize, transaction, table, name);
      return cutChainAfter(sequelize, transaction, last, key);
    });
  });
  const detached = await detachedPartitions(sequelize);
  await dropTables(sequelize, detached);
  return { partitionsDropped: detached.length, deleted };
}

/** Each partitioned trail table's partitions that end at or before the cut-off, oldest first. */
async function oldPartitions(sequelize: Sequelize, transaction: Transaction, cutoff: Date): Promise<Map<string, Partition[]>> {
  const old = new Map<string, Partition[]>();
  for (const table of PARTITIONED_TABLES) {
    const partitions = await partitionsOf(sequelize, table, transaction);
    const end = partitions.findIndex(({ to }) => to === null || to > cutoff);
    const ended = end === -1 ? partitions : partitions.slice(0, end);
    if (ended.length > 0) old.set(table, ended);
  }
  return old;
}

/** The old partitions whose batches are all old, oldest first per table, and the newest of their links. */
async function choose(sequelize: Sequelize, transaction: Transaction, old: Map<string, Partition[]>, lastOld: number): Promise<{ chosen: Chosen[]; last?: number }> {
  const chosen: Chosen[] = [];
  let last: number | undefined;
  for (const [table, partitions] of old) {
    for (const { name } of partitions) {
      const newest = await newestLinkIn(sequelize, transaction, table, name);
      if (newest !== null && newest > lastOld) break;
      chosen.push({ table, name });
      if (newest !== null) last = Math.max(last ?? newest, newest);
    }
  }
  return { chosen, last };
}

/**
 * The newest link that may have rows in the partition: a row's id lies within its batch's first_id and
 * last_id, so a link whose span misses the partition's ids has none there. Null for a partition without chained rows.
 */
async function newestLinkIn(sequelize: Sequelize, transaction: Transaction, table: string, partition: string): Promise<number | null> {
  const [{ seq } = { seq: null }] = await sequelize.query<{ seq: string | null }>(
    `SELECT max(c.seq) AS seq FROM (SELECT min(id) AS lo, max(id) AS hi FROM ${partition}) p
     JOIN audit_chain c ON c.row_table = :table AND c.first_id <= p.hi AND c.last_id >= p.lo`,
    { type: QueryTypes.SELECT, transaction, replacements: { table } },
  );
  return seq === null ? null : Number(seq);
}
