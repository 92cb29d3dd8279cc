import type { ChainedTable } from './canonical.js';
import type { ChainLink } from './chain.js';
import type { Checkpoint } from './checkpoint.js';

/** A stored row: its id, its `chain_seq` (null when unchained), and its canonical line, newline included. */
export type StoredRow = readonly [id: string, chainSeq: string | null, line: string];

/**
 * What a range of a table's rows make, per batch number (`chain_seq`, null for unchained rows): how many
 * rows, the lowest and highest id, and the batch's digest over those rows (null for unchained rows).
 */
export type StoredDigest = readonly [chainSeq: string | null, count: string, firstId: string, lastId: string, digest: string | null];

/** What verify() reads, one bounded page at a time, from one consistent snapshot of the database. */
export interface ChainSource {
  /** Links with `seq` above `afterSeq`, ascending. */
  links(afterSeq: number, limit: number): Promise<ChainLink[]>;
  /**
   * The links of `table`'s batches by where their rows start: `first_id` above `afterFirstId`, and `last_id`
   * at least `reachingId`, ascending by `first_id`. Batches stored at once interleave their ids, so this is
   * not seq order.
   */
  linksByPlace(table: ChainedTable, afterFirstId: number, reachingId: number, limit: number): Promise<ChainLink[]>;
  /** The link whose rows carry `batch` in `chain_seq`, if any, whichever table they are in. */
  linkOfBatch(batch: number): Promise<ChainLink | undefined>;
  /**
   * `table`'s rows with `id` above `afterId` and at most `throughId`, ascending by id: a range, which the
   * primary key serves. Two pages asked for at once are read side by side, on two connections.
   */
  rows(table: ChainedTable, afterId: number, throughId: number): Promise<StoredRow[]>;
  /**
   * What `table`'s rows with `id` above `afterId` and at most `throughId` make, per batch number: hashed
   * where they are stored, so that only one row per batch is sent. Read side by side like rows().
   */
  digests(table: ChainedTable, afterId: number, throughId: number): Promise<StoredDigest[]>;
  /** `table`'s highest row id, 0 for none. */
  lastRowId(table: ChainedTable): Promise<number>;
  /** The checkpoints stored in the database. */
  checkpoints(): Promise<Checkpoint[]>;
}

/** The columns of a link, in the order toLink() takes them. */
export const LINK_COLUMNS = ['seq', 'batch', 'row_table', 'row_count', 'digest', 'prev_hash', 'hash', 'first_id', 'last_id'] as const;

/** A link from its LINK_COLUMNS' values, as text (PostgreSQL) or numbers and text (SQLite). */
export function toLink([seq, batch, table, rowCount, digest, prevHash, hash, firstId, lastId]: readonly unknown[]): ChainLink {
  return {
    seq: Number(seq),
    batch: Number(batch),
    table: table as ChainedTable,
    rowCount: Number(rowCount),
    digest: digest as string,
    prevHash: prevHash as string,
    hash: hash as string,
    firstId: Number(firstId),
    lastId: Number(lastId),
  };
}
