import type { KeyObject } from 'node:crypto';
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { PRUNE_DOOR_TABLE, PRUNE_SETTING } from '../../migrations/7d1b3e9f0a62_protect_user_actions.js';
import { AuditTrailError } from '../errors.js';
import { signingKeyPem } from '../integrity/options.js';
import { chainPrune } from '../integrity/prune-chain.js';
import { dropPartitionsBefore } from '../partitions/drop.js';
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
  /** Rows deleted one by one (rows in dropped partitions are not counted). */
  deleted: number;
  /** Whole partitions dropped, on a partitioned table (docs/partitioning.md); 0 otherwise. */
  partitionsDropped: number;
  /** Rows before this moment were (or, in a dry run, would be) deleted. */
  cutoff: Date;
  /** Dry runs only: how many rows a real run would delete now. */
  wouldDelete?: number;
}

/**
 * Deletes old rows in bounded batches, each in its own transaction through the prune door that the
 * append-only triggers leave: a transaction-local setting on PostgreSQL, a door row on SQLite.
 * New rows are never blocked: a batch locks only the old rows it deletes. On a partitioned table,
 * partitions wholly before the cut-off are dropped instead, and only the one that straddles it is
 * pruned row by row.
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
  // The chain's batches go whole, each step leaving a checkpoint at the chain's new start; unchained rows go by age.
  const chain = sequelize.getDialect() === 'postgres' ? chainPrune(sequelize, cutoff, options.signingKey && signingKeyPem(options.signingKey), (transaction) => openDoor(sequelize, transaction)) : undefined;
  if (options.dryRun) {
    const unchained = await store.models.UserAction.count({ where: { timestamp: { [Op.lt]: cutoff }, chain_seq: null } });
    return { deleted: 0, partitionsDropped: 0, cutoff, wouldDelete: unchained + ((await chain?.count()) ?? 0) };
  }
  let deleted = (await chain?.run(batchSize, options.signal)) ?? 0;
  const partitionsDropped = sequelize.getDialect() === 'postgres' ? await dropPartitionsBefore(sequelize, cutoff, options.signal) : 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const batch = await sequelize.transaction((transaction) => deleteBatch(store, transaction, cutoff, batchSize));
    deleted += batch;
    if (batch < batchSize) break;
  }
  return { deleted, partitionsDropped, cutoff };
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

/** Opens the append-only triggers' prune door for the rest of the transaction. */
async function openDoor(sequelize: Sequelize, transaction: Transaction): Promise<void> {
  if (sequelize.getDialect() === 'postgres') await sequelize.query(`SET LOCAL ${PRUNE_SETTING} = 'on'`, { transaction });
  else await sequelize.query(`INSERT INTO ${PRUNE_DOOR_TABLE} (opened) VALUES (1)`, { transaction });
}

async function deleteBatch({ sequelize }: Store, transaction: Transaction, cutoff: Date, batchSize: number): Promise<number> {
  const select = (sql: string) =>
    sequelize.query<{ deleted: number | string }>(sql, { type: QueryTypes.SELECT, transaction, replacements: { cutoff, batchSize } });
  const oldRows = `SELECT id FROM user_actions WHERE "timestamp" < :cutoff AND chain_seq IS NULL LIMIT :batchSize`;
  await openDoor(sequelize, transaction);
  if (sequelize.getDialect() === 'postgres') {
    const [row] = await select(`WITH gone AS (DELETE FROM user_actions WHERE id IN (${oldRows}) AND "timestamp" < :cutoff RETURNING 1) SELECT count(*) AS deleted FROM gone`);
    return Number(row?.deleted ?? 0);
  }
  await sequelize.query(`DELETE FROM user_actions WHERE id IN (${oldRows})`, { transaction, replacements: { cutoff, batchSize } });
  const [row] = await select('SELECT changes() AS deleted');
  await sequelize.query(`DELETE FROM ${PRUNE_DOOR_TABLE}`, { transaction });
  return Number(row?.deleted ?? 0);
}
