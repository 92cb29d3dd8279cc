import { createPublicKey, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BatchDigest } from './canonical.js';
import { GENESIS_HASH, linkHash, type ChainLink } from './chain.js';
import { signatureHolds, type Checkpoint } from './checkpoint.js';
import type { CanonicalRow, ChainSource } from './source.js';

/** What verify() found wrong, named as an auditor would: the first break in chain order. */
export type FindingKind = 'modified' | 'deleted' | 'inserted' | 'broken_link' | 'bad_signature' | 'checkpoint_mismatch' | 'truncated';

export interface Finding {
  readonly kind: FindingKind;
  /** The chain link (batch) where it was found. */
  readonly seq?: number;
  /** The row, when one can be named. */
  readonly rowId?: number;
  readonly message: string;
}

export interface VerifyOptions {
  /** First link to verify (its predecessor's hash is checked too); default: the chain's first. */
  fromSeq?: number;
  /** Last link to verify; default: the chain's head. */
  toSeq?: number;
  /** The Ed25519 public key (PEM or KeyObject) that checks every checkpoint's signature. */
  publicKey?: string | Buffer | KeyObject;
  /** Checkpoints kept outside the database (from onCheckpoint): their hashes must be in the chain, and it must reach them. */
  checkpoints?: readonly Checkpoint[];
  /** Called after every page of rows, for a progress line. */
  onProgress?: (progress: { rows: number; links: number }) => void;
}

export interface VerifyReport {
  readonly intact: boolean;
  /** The first break, when not intact. */
  readonly finding?: Finding;
  readonly rows: number;
  readonly links: number;
  /** Rows from before the chain (before the migration, or written with the chain off): not covered, not tampered. */
  readonly unchainedRows: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  /** Checkpoints whose hash matched the chain, and of those, how many had their signature checked. */
  readonly checkpoints: number;
  readonly signaturesChecked: number;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
}

const ROW_PAGE = 10_000;
const LINK_PAGE = 5_000;

class Tampered extends Error {
  constructor(readonly finding: Finding) {
    super(finding.message);
  }
}

const fail = (kind: FindingKind, message: string, at: { seq?: number; rowId?: number } = {}): never => {
  throw new Tampered({ kind, ...at, message });
};

/**
 * Recomputes the chain from the stored rows and links, in one pass over both in ascending order, in
 * bounded memory, and stops at the first break. docs/integrity.md describes what each finding means.
 */
export async function verifyChain(source: ChainSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const run = new Verification(source, options);
  let finding: Finding | undefined;
  try {
    await run.walk();
  } catch (error) {
    if (!(error instanceof Tampered)) throw error;
    finding = error.finding;
  }
  const durationMs = performance.now() - started;
  return {
    intact: finding === undefined,
    ...(finding ? { finding } : {}),
    rows: run.rows,
    links: run.links,
    unchainedRows: run.unchained,
    ...(run.first ? { firstSeq: run.first.seq } : {}),
    ...(run.current ? { lastSeq: run.current.seq } : {}),
    checkpoints: run.checkpointsMatched,
    signaturesChecked: run.signaturesChecked,
    durationMs,
    rowsPerSecond: durationMs > 0 ? (run.rows * 1000) / durationMs : 0,
  };
}

class Verification {
  rows = 0;
  links = 0;
  unchained = 0;
  checkpointsMatched = 0;
  signaturesChecked = 0;
  first: ChainLink | undefined;
  current: ChainLink | undefined;
  private digest = new BatchDigest();
  /** The first id missing from the current batch's span, a deleted row's likely id. */
  private gap: number | undefined;
  private lastRowId: number | undefined;
  private pending: ChainLink[] = [];
  private nextPending = 0;
  private linksDone = false;
  private readonly publicKey: KeyObject | undefined;
  private readonly bySeq = new Map<number, Array<Checkpoint & { readonly external: boolean }>>();

  constructor(
    private readonly source: ChainSource,
    private readonly options: VerifyOptions,
  ) {
    this.publicKey = options.publicKey === undefined ? undefined : createPublicKey(options.publicKey as string);
  }

  async walk(): Promise<void> {
    const { fromSeq, toSeq } = this.options;
    for (const checkpoint of await this.source.checkpoints()) this.remember(checkpoint, false);
    for (const checkpoint of this.options.checkpoints ?? []) this.remember(checkpoint, true);
    const before = fromSeq === undefined || fromSeq < 2 ? undefined : (await this.source.links(fromSeq - 2, 1)).find((link) => link.seq === fromSeq - 1);
    const first = await this.nextLink();
    if (first) {
      if (fromSeq !== undefined && first.seq !== fromSeq) fail('broken_link', `link ${fromSeq} is missing: the chain goes on at ${first.seq}`, { seq: fromSeq });
      // The first link of a pruned chain follows a link that is gone: prune left a checkpoint on it, which vouches for it.
      if (first.seq > 1 && fromSeq === undefined && !this.bySeq.has(first.seq)) {
        fail('truncated', `the chain starts at link ${first.seq} with no checkpoint there: its first links were cut, not pruned`, { seq: first.seq });
      }
      this.enter(first, before?.hash ?? (first.seq === 1 ? GENESIS_HASH : first.prevHash));
      this.first = first;
    }
    const untilId = toSeq === undefined ? undefined : (await this.source.links(toSeq - 1, 1)).find((link) => link.seq === toSeq)?.lastId;
    const lastId = untilId ?? (await this.source.lastRowId());
    const page = (afterId: number) => (afterId < lastId ? this.source.rows(afterId, Math.min(afterId + ROW_PAGE, lastId)) : undefined);
    // The next page is asked for before this one is hashed, so the database and the hashing overlap.
    let afterId = fromSeq === undefined || !first ? 0 : first.firstId - 1;
    let next = page(afterId);
    try {
      while (next) {
        const rows = await next;
        afterId += ROW_PAGE;
        next = page(afterId);
        for (const row of rows) if (!(await this.row(row))) return await this.finish(toSeq);
        this.options.onProgress?.({ rows: this.rows, links: this.links });
      }
    } finally {
      await next?.catch(() => {}); // a page asked for ahead of a stop or a finding
    }
    return this.finish(toSeq);
  }

  /** Feeds one row; false once past `toSeq`. */
  private async row(row: CanonicalRow): Promise<boolean> {
    const id = Number(row[0]);
    const chainSeq = row.at(-1);
    const current = this.current;
    if (chainSeq === null || chainSeq === undefined) {
      if (current && (this.rows > 0 || this.options.fromSeq !== undefined))
        fail('inserted', `row ${id} has no chain_seq but comes after chained rows`, { rowId: id, seq: current.seq });
      this.unchained++;
      return true;
    }
    const seq = Number(chainSeq);
    if (this.options.toSeq !== undefined && seq > this.options.toSeq) return false;
    if (!current) return fail('broken_link', `row ${id} belongs to batch ${seq}, but there is no chain`, { rowId: id, seq });
    if (seq < current.seq) fail('inserted', `row ${id} claims batch ${seq} but lies among batch ${current.seq}'s rows`, { rowId: id, seq });
    while (seq > this.current!.seq) {
      this.close();
      const next = await this.nextLink();
      if (!next) fail('broken_link', `row ${id} belongs to batch ${seq}, but the chain ends at link ${this.current!.seq}`, { rowId: id, seq });
      this.enter(next!, this.current!.hash);
    }
    if (this.lastRowId === undefined ? id !== this.current!.firstId : id !== this.lastRowId + 1)
      this.gap ??= this.lastRowId === undefined ? this.current!.firstId : this.lastRowId + 1;
    this.lastRowId = id;
    this.digest.add(row);
    this.rows++;
    return true;
  }

  /** Checks a link against its predecessor and itself, and the checkpoints of its seq, then makes it current. */
  private enter(link: ChainLink, prevHash: string): void {
    const previous = this.current;
    if (previous && link.seq !== previous.seq + 1)
      fail('broken_link', `link ${previous.seq + 1} is missing: link ${previous.seq} is followed by ${link.seq}`, { seq: previous.seq + 1 });
    if (link.prevHash !== prevHash) fail('broken_link', `link ${link.seq}'s prev_hash is not link ${link.seq - 1}'s hash`, { seq: link.seq });
    if (linkHash(link.prevHash, link.seq, link.rowCount, link.digest) !== link.hash)
      fail('broken_link', `link ${link.seq} was edited: its hash does not match its contents`, { seq: link.seq });
    for (const checkpoint of this.bySeq.get(link.seq) ?? []) this.checkpoint(checkpoint, link);
    this.bySeq.delete(link.seq);
    this.current = link;
    this.links++;
    this.digest = new BatchDigest();
    this.gap = undefined;
    this.lastRowId = undefined;
  }

  /** Compares the current batch's rows with its link. */
  private close(): void {
    const link = this.current!;
    const found = this.digest.count;
    const span = `batch ${link.seq} (ids ${link.firstId}–${link.lastId})`;
    if (found < link.rowCount) {
      const rowId = this.gap ?? (found === 0 ? link.firstId : (this.lastRowId ?? link.firstId) + 1);
      fail('deleted', `${span}: ${link.rowCount - found} of its ${link.rowCount} rows are missing, first id ${rowId}`, { seq: link.seq, rowId });
    }
    if (found > link.rowCount) fail('inserted', `${span}: ${found} rows carry its chain_seq, ${link.rowCount} were chained`, { seq: link.seq });
    if (this.digest.hex() !== link.digest) fail('modified', `${span}: a row's stored content differs from what was chained`, { seq: link.seq });
  }

  private checkpoint(checkpoint: Checkpoint & { readonly external: boolean }, link: ChainLink): void {
    const where = checkpoint.external ? 'the given checkpoint' : 'the stored checkpoint';
    if (this.publicKey && (checkpoint.external || checkpoint.signature !== null)) {
      if (!signatureHolds(checkpoint, this.publicKey))
        fail('bad_signature', `${where} at seq ${checkpoint.seq} (signed ${checkpoint.signedAt}) does not verify with the public key`, { seq: checkpoint.seq });
      this.signaturesChecked++;
    }
    if (checkpoint.hash !== link.hash)
      fail('checkpoint_mismatch', `${where} at seq ${checkpoint.seq} vouches for hash ${checkpoint.hash}, the chain has ${link.hash}: the chain was rewritten`, {
        seq: checkpoint.seq,
      });
    this.checkpointsMatched++;
  }

  private async finish(toSeq: number | undefined): Promise<void> {
    if (this.current) {
      this.close();
      // Links past the last row: batches whose rows are all gone.
      for (let next = await this.nextLink(); next && (toSeq === undefined || next.seq <= toSeq); next = await this.nextLink()) {
        this.enter(next, this.current.hash);
        this.close();
      }
    }
    const head = this.current?.seq ?? 0;
    for (const [seq, checkpoints] of this.bySeq) {
      if (seq <= head || (toSeq !== undefined && seq > toSeq) || (this.first && seq < this.first.seq)) continue;
      const given = checkpoints[0]!;
      fail('truncated', `the chain ends at link ${head}, before ${given.external ? 'a given' : 'a stored'} checkpoint at seq ${seq}: its tail was cut`, { seq });
    }
  }

  private async nextLink(): Promise<ChainLink | undefined> {
    if (this.nextPending === this.pending.length && !this.linksDone) {
      const after = this.pending.at(-1)?.seq ?? (this.options.fromSeq === undefined ? 0 : this.options.fromSeq - 1);
      this.pending = await this.source.links(after, LINK_PAGE);
      this.nextPending = 0;
      this.linksDone = this.pending.length < LINK_PAGE;
    }
    return this.nextPending < this.pending.length ? this.pending[this.nextPending++] : undefined;
  }

  private remember(checkpoint: Checkpoint, external: boolean): void {
    const list = this.bySeq.get(checkpoint.seq) ?? [];
    list.push({ ...checkpoint, external });
    this.bySeq.set(checkpoint.seq, list);
  }
}
