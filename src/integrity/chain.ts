import { createHash } from 'node:crypto';
import type { ChainedTable } from './canonical.js';

/** The `prev_hash` of the first link: no link comes before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** One row of `audit_chain`: a stored batch. */
export interface ChainLink {
  readonly seq: number;
  /** The number its rows carry in `chain_seq`: drawn before the batch was stored, so not gapless, nor in seq order. */
  readonly batch: number;
  /** The table the batch's rows went to (`row_table`). */
  readonly table: ChainedTable;
  readonly rowCount: number;
  readonly digest: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly firstId: number;
  readonly lastId: number;
}

/**
 * SHA-256(prev_hash ‖ seq ‖ row count ‖ digest), in hex, over `prev_hash:seq:count:digest` in ASCII; a
 * batch of change rows appends `:user_action_changes`, so that no link can be moved to the other table.
 * A user_actions link hashes as it did before change rows were chained.
 */
export function linkHash(prevHash: string, seq: number, rowCount: number, digest: string, table: ChainedTable): string {
  const text = `${prevHash}:${seq}:${rowCount}:${digest}${table === 'user_actions' ? '' : `:${table}`}`;
  return createHash('sha256').update(text).digest('hex');
}
