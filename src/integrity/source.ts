import type { ChainLink } from './chain.js';
import type { Checkpoint } from './checkpoint.js';

/** A stored row as its canonical values (CANONICAL_COLUMNS order): `id` first, `chain_seq` last. */
export type CanonicalRow = ReadonlyArray<string | null>;

/** What verify() reads, one bounded page at a time, from one consistent snapshot of the database. */
export interface ChainSource {
  /** Links with `seq` above `afterSeq`, ascending. */
  links(afterSeq: number, limit: number): Promise<ChainLink[]>;
  /** Rows with `id` above `afterId` and at most `throughId`, ascending by id: a range, which the primary key serves. */
  rows(afterId: number, throughId: number): Promise<CanonicalRow[]>;
  /** The highest row id, 0 for none. */
  lastRowId(): Promise<number>;
  /** The checkpoints stored in the database. */
  checkpoints(): Promise<Checkpoint[]>;
}
