import { sign, verify, type KeyObject } from 'node:crypto';

/** A signed statement that the chain's link `seq` had this hash at `signedAt`: the host ships it out of the database. */
export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
  /** ISO 8601, in UTC, with milliseconds. */
  readonly signedAt: string;
  /** Ed25519 over checkpointMessage(), in base64; null for the unsigned checkpoint prune leaves without a key. */
  readonly signature: string | null;
}

/** What is signed: the version, seq, hash and time, one per line, in UTF-8. */
function checkpointMessage({ seq, hash, signedAt }: Pick<Checkpoint, 'seq' | 'hash' | 'signedAt'>): Buffer {
  return Buffer.from(`audit-trail checkpoint v1\n${seq}\n${hash}\n${signedAt}`);
}

export function signCheckpoint(seq: number, hash: string, key: KeyObject | undefined, at = new Date()): Checkpoint {
  const signedAt = at.toISOString();
  const signature = key ? sign(null, checkpointMessage({ seq, hash, signedAt }), key).toString('base64') : null;
  return { seq, hash, signedAt, signature };
}

/** True when the checkpoint carries a signature that the public key accepts. */
export function signatureHolds(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  if (!checkpoint.signature) return false;
  try {
    return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Every `batches` chained batches or `seconds` seconds, whichever comes first, looked at as each batch is chained. */
export class CheckpointSchedule {
  private batches = 0;
  private since: number;

  constructor(
    private readonly every: { readonly batches: number; readonly seconds: number },
    now = Date.now(),
  ) {
    this.since = now;
  }

  /** Called once per chained batch; true when this one's head is to be signed. */
  due(now = Date.now()): boolean {
    this.batches++;
    if (this.batches < this.every.batches && now - this.since < this.every.seconds * 1000) return false;
    this.batches = 0;
    this.since = now;
    return true;
  }
}

/** The row of `audit_checkpoints`; every value is digits, hex, base64 or an ISO time, safe as a literal. */
export function checkpointInsert({ seq, hash, signedAt, signature }: Checkpoint): string {
  return `INSERT INTO audit_checkpoints (seq, hash, signed_at, signature) VALUES (${seq}, '${hash}', '${signedAt}', ${signature === null ? 'NULL' : `'${signature}'`})`;
}
