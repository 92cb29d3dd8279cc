import { createHash } from 'node:crypto';

/** The `prev_hash` of the first link: no link comes before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** One row of `audit_chain`: a stored batch. */
export interface ChainLink {
  readonly seq: number;
  /** The number its rows carry in `chain_seq`: drawn before the batch was stored, so not gapless, nor in seq order. */
  readonly batch: number;
  readonly rowCount: number;
  readonly digest: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly firstId: number;
  readonly lastId: number;
}

/** SHA-256(prev_hash ‖ seq ‖ row count ‖ digest), in hex, over `prev_hash:seq:count:digest` in ASCII. */
export function linkHash(prevHash: string, seq: number, rowCount: number, digest: string): string {
  return createHash('sha256').update(`${prevHash}:${seq}:${rowCount}:${digest}`).digest('hex');
}
