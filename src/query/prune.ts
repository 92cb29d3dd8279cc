import { createPrivateKey, type KeyObject } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { PRUNE_DOOR_TABLE, PRUNE_SETTING } from '../../migrations/7d1b3e9f0a62_protect_user_actions.js';
import { AuditTrailError } from '../errors.js';
import { signingKeyPem } from '../integrity/options.js';
import { chainPrune } from '../integrity/prune-chain.js';
import { dropPartitionsBefore } from '../partitions/drop.js';
import { dropChainedPartitionsBefore } from '../partitions/drop-chained.js';
import { deleteCounting } from '../store/delete-counting.js';
import type { Store } from '../store/store.js';
import { toInstant, type TimeArgument } from './time.js';

const DEFAULT_PRUNE_BATCH = 10_000;
/** A cut-off younger than a day would take rows still being written and read: a typo like `2999-01-01` or `1h`. */
export const MIN_PRUNE_AGE_MS = 86_400_000;

export interface PruneOptions {
  /** Rows older than this go: a Date, an ISO timestamp, or a duration such as `365d`. */
  olderThan: TimeArgument;
  /** Rows per transaction; default 10,000, so no transaction holds its locks for long. */
  batchSize?: number;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  /** Stops between batches; what was deleted stays deleted. */
  signal?: AbortSignal;
  /** Prune even when the cut-off is in the future or younger than a day. */
  force?: boolean;
  /**
   * Signs the checkpoint prune leaves where the chain now starts (an Ed25519 private key); the trail's
   * `integrity.signingKey` by default. See docs/integrity.md, "Prune".
   */
  signingKey?: string | Buffer | KeyObject;
}

export interface PruneResult {
  /**
   * `user_actions` rows deleted one by one: unchained rows by age, the chain's old batches, and the rows of
   * batches cut with a dropped partition that were stored in a later one. Rows of dropped partitions are
   * not counted: a drop does not count them.
   */
  deleted: number;
  /** `user_action_changes` rows (docs/changes.md) deleted one by one, counted as `deleted` is: the same cut-off applies to them. */
  deletedChanges: number;
  /** Whole partitions dropped, of both tables, when they are partitioned (docs/partitioning.md), with chained rows or without; 0 otherwise. */
  partitionsDropped: number;
  /** Rows before this moment were (or, in a dry run, would be) deleted. */
  cutoff: Date;
  /** Dry runs only: how many `user_actions` rows a real run would delete now. */
  wouldDelete?: number;
  /** Dry runs only: how many `user_action_changes` rows a real run would delete now. */
  wouldDeleteChanges?: number;
}

/** What goes by age, batch by batch: unchained rows (the chain's go whole, below). */
const BY_AGE = {
  requests: { table: 'user_actions', where: '"timestamp" < :cutoff AND chain_seq IS NULL' },
  changes: { table: 'user_action_changes', where: '"timestamp" < :cutoff AND chain_seq IS NULL' },
} as const;
type ByAge = (typeof BY_AGE)[keyof typeof BY_AGE];

/**
 * Deletes old rows in bounded batches, each in its own transaction through the prune door that the
 * append-only triggers leave: a transaction-local setting on PostgreSQL, a door row on SQLite.
 * New rows are never blocked: a batch locks only the old rows it deletes. On a partitioned table,
 * partitions wholly before the cut-off are dropped instead, those holding the chain's old batches
 * with the chain cut at a batch boundary, and only the one that straddles it is pruned row by row.
 */
export async function prune(store: Store, options: PruneOptions): Promise<PruneResult> {
  if (options?.olderThan === undefined) throw new AuditTrailError('invalid_query', 'prune needs olderThan, such as { olderThan: "365d" }.');
  const cutoff = toInstant(options.olderThan, 'olderThan');
  if (!options.force) refuseRecentCutoff(cutoff);
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new AuditTrailError('invalid_query', `batchSize must be a positive integer; got ${JSON.stringify(batchSize)}.`);
  }
  const { sequelize } = store;
  const key = options.signingKey ? createPrivateKey(signingKeyPem(options.signingKey)) : undefined;
  const door = <T>(transaction: Transaction, work: () => Promise<T>) => throughDoor(sequelize, transaction, work);
  // The chain's batches go whole, each step leaving a checkpoint at the chain's new start; unchained rows go by age.
  const chain = chainPrune(sequelize, cutoff, key, door);
  if (options.dryRun) {
    const chained = await chain.count();
    return {
      deleted: 0,
      deletedChanges: 0,
      partitionsDropped: 0,
      cutoff,
      wouldDelete: (await countOld(sequelize, BY_AGE.requests, cutoff)) + chained.user_actions,
      wouldDeleteChanges: (await countOld(sequelize, BY_AGE.changes, cutoff)) + chained.user_action_changes,
    };
  }
  const postgres = sequelize.getDialect() === 'postgres';
  // First the partitions that hold old batches, with the chain cut after them; then the chain's other old
  // batches row by row; then the partitions left without chained rows, and unchained rows by age.
  const cut = postgres ? await dropChainedPartitionsBefore(sequelize, cutoff, key, door, options.signal) : undefined;
  const chained = await chain.run(batchSize, options.signal);
  const partitionsDropped = postgres ? (cut?.partitionsDropped ?? 0) + (await dropPartitionsBefore(sequelize, cutoff, options.signal)) : 0;
  const deleted = (cut?.deleted.user_actions ?? 0) + chained.user_actions + (await deleteOld(sequelize, BY_AGE.requests, cutoff, batchSize, options.signal));
  const deletedChanges = (cut?.deleted.user_action_changes ?? 0) + chained.user_action_changes + (await deleteOld(sequelize, BY_AGE.changes, cutoff, batchSize, options.signal));
  return { deleted, deletedChanges, partitionsDropped, cutoff };
}

async function countOld(sequelize: Sequelize, { table, where }: ByAge, cutoff: Date): Promise<number> {
  const [row] = await sequelize.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, { type: QueryTypes.SELECT, replacements: { cutoff } });
  return Number(row?.n ?? 0);
}

/** One short transaction per batch, until a batch comes back short or the signal stops it. */
async function deleteOld(sequelize: Sequelize, old: ByAge, cutoff: Date, batchSize: number, signal: AbortSignal | undefined): Promise<number> {
  let deleted = 0;
  while (!signal?.aborted) {
    const batch = await sequelize.transaction((transaction) => deleteBatch(sequelize, transaction, old, cutoff, batchSize));
    deleted += batch;
    if (batch < batchSize) break;
  }
  return deleted;
}

function refuseRecentCutoff(cutoff: Date): void {
  const now = Date.now();
  const why =
    cutoff.getTime() > now
      ? `the cut-off ${cutoff.toISOString()} is in the future: every row would go, including those written now`
      : cutoff.getTime() > now - MIN_PRUNE_AGE_MS
        ? `the cut-off ${cutoff.toISOString()} is less than a day ago: rows still being written and read would go`
        : undefined;
  if (why) throw new AuditTrailError('invalid_query', `prune refused: ${why}. Pass force: true (--force on the command line) if you mean it.`);
}

/**
 * Runs `work` with the append-only triggers' prune door open: a transaction-local setting on PostgreSQL,
 * which ends with the transaction; on SQLite a door row, removed again before the transaction commits.
 */
async function throughDoor<T>(sequelize: Sequelize, transaction: Transaction, work: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() === 'postgres') {
    await sequelize.query(`SET LOCAL ${PRUNE_SETTING} = 'on'`, { transaction });
    return work();
  }
  await sequelize.query(`INSERT INTO ${PRUNE_DOOR_TABLE} (opened) VALUES (1)`, { transaction });
  const result = await work();
  await sequelize.query(`DELETE FROM ${PRUNE_DOOR_TABLE}`, { transaction });
  return result;
}

function deleteBatch(sequelize: Sequelize, transaction: Transaction, { table, where }: ByAge, cutoff: Date, batchSize: number): Promise<number> {
  // The outer bound on "timestamp" lets a partitioned table's DELETE read only the partitions before the cut-off.
  const sql = `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} LIMIT :batchSize) AND "timestamp" < :cutoff`;
  return throughDoor(sequelize, transaction, () => deleteCounting(sequelize, transaction, sql, { cutoff, batchSize }));
}
