import { createPublicKey, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BatchDigest, type ChainedTable } from './canonical.js';
import { GENESIS_HASH, linkHash, type ChainLink } from './chain.js';
import { signatureHolds, type Checkpoint } from './checkpoint.js';
import { walkDigests } from './digest-walk.js';
import { LINK_PAGE, LinkCursor } from './link-cursor.js';
import type { ChainSource, StoredRow } from './source.js';

/** What verify() found wrong, named as an auditor would: the first break in chain order. */
export type FindingKind = 'modified' | 'deleted' | 'inserted' | 'broken_link' | 'bad_signature' | 'checkpoint_mismatch' | 'truncated';

export interface Finding {
  readonly kind: FindingKind;
  /** The chain link (batch) where it was found. */
  readonly seq?: number;
  /** The row, when one can be named, and (for a batch's rows or a row) the table it is in. */
  readonly rowId?: number;
  readonly table?: ChainedTable;
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

class Tampered extends Error {
  constructor(readonly finding: Finding) {
    super(finding.message);
  }
}

const fail = (kind: FindingKind, message: string, at: { seq?: number; rowId?: number; table?: ChainedTable } = {}): never => {
  throw new Tampered({ kind, ...at, message });
};

/**
 * Recomputes the chain from the stored rows and links, in bounded memory, and stops at the first break:
 * first the links in seq order (each one's hash, its predecessor's, the checkpoints), then each chained
 * table's rows in id order against their batches' digests. docs/integrity.md describes what each finding means.
 * `rowPage` (about how many ids one query covers) is smaller in tests, so that a few rows make several pages.
 */
export async function verifyChain(source: ChainSource, options: VerifyOptions = {}, rowPage = ROW_PAGE): Promise<VerifyReport> {
  const started = performance.now();
  const run = new Verification(source, options, rowPage);
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
    ...(run.last ? { lastSeq: run.last.seq } : {}),
    checkpoints: run.checkpointsMatched,
    signaturesChecked: run.signaturesChecked,
    durationMs,
    rowsPerSecond: durationMs > 0 ? (run.rows * 1000) / durationMs : 0,
  };
}

/** A batch whose rows are being read: its link, and what its rows have made so far. */
interface OpenBatch {
  readonly link: ChainLink;
  /** Outside fromSeq–toSeq: its rows are recognized, but not all of them are read, so it is not judged. */
  readonly judged: boolean;
  readonly digest: BatchDigest;
  /** The first id missing from the batch's span, a deleted row's likely id. */
  gap: number | undefined;
}

class Verification {
  rows = 0;
  links = 0;
  unchained = 0;
  checkpointsMatched = 0;
  signaturesChecked = 0;
  first: ChainLink | undefined;
  last: ChainLink | undefined;
  /** Per table, the span of ids the verified links' rows lie in. */
  readonly spans: Record<ChainedTable, { low: number; high: number }> = {
    user_actions: { low: Infinity, high: 0 },
    user_action_changes: { low: Infinity, high: 0 },
  };
  private readonly publicKey: KeyObject | undefined;
  private readonly bySeq = new Map<number, Array<Checkpoint & { readonly external: boolean }>>();

  constructor(
    private readonly source: ChainSource,
    private readonly options: VerifyOptions,
    /** About how many ids one query covers. */
    private readonly rowPage: number,
  ) {
    this.publicKey = options.publicKey === undefined ? undefined : createPublicKey(options.publicKey as string);
  }

  async walk(): Promise<void> {
    for (const checkpoint of await this.source.checkpoints()) this.remember(checkpoint, false);
    for (const checkpoint of this.options.checkpoints ?? []) this.remember(checkpoint, true);
    await this.walkLinks();
    await this.walkRows();
  }

  private inRange(seq: number): boolean {
    const { fromSeq, toSeq } = this.options;
    return (fromSeq === undefined || seq >= fromSeq) && (toSeq === undefined || seq <= toSeq);
  }

  /** Every link from fromSeq to toSeq, in seq order: gapless, each one's hash over its predecessor's, and the checkpoints on it. */
  private async walkLinks(): Promise<void> {
    const { fromSeq, toSeq } = this.options;
    let previous: ChainLink | undefined;
    if (fromSeq !== undefined && fromSeq > 1) previous = (await this.source.links(fromSeq - 2, 1)).find((link) => link.seq === fromSeq - 1);
    for (let after = fromSeq === undefined ? 0 : fromSeq - 1, done = false; !done;) {
      const page = await this.source.links(after, LINK_PAGE);
      done = page.length < LINK_PAGE;
      for (const link of page) {
        if (toSeq !== undefined && link.seq > toSeq) return this.checkTail();
        if (!this.first) this.start(link, previous);
        else this.enter(link, previous!);
        previous = link;
        after = link.seq;
      }
    }
    this.checkTail();
  }

  private start(first: ChainLink, before: ChainLink | undefined): void {
    const { fromSeq } = this.options;
    if (fromSeq !== undefined && first.seq !== fromSeq) fail('broken_link', `link ${fromSeq} is missing: the chain goes on at ${first.seq}`, { seq: fromSeq });
    // The first link of a pruned chain follows a link that is gone: prune left a checkpoint on it, which vouches for it.
    if (first.seq > 1 && fromSeq === undefined && !this.bySeq.has(first.seq)) {
      fail('truncated', `the chain starts at link ${first.seq} with no checkpoint there: its first links were cut, not pruned`, { seq: first.seq });
    }
    this.first = first;
    this.check(first, before?.hash ?? (first.seq === 1 ? GENESIS_HASH : first.prevHash));
  }

  /** Checks a link against its predecessor and itself, and the checkpoints of its seq. */
  private enter(link: ChainLink, previous: ChainLink): void {
    if (link.seq !== previous.seq + 1) fail('broken_link', `link ${previous.seq + 1} is missing: link ${previous.seq} is followed by ${link.seq}`, { seq: previous.seq + 1 });
    this.check(link, previous.hash);
  }

  private check(link: ChainLink, prevHash: string): void {
    if (link.prevHash !== prevHash) fail('broken_link', `link ${link.seq}'s prev_hash is not link ${link.seq - 1}'s hash`, { seq: link.seq });
    if (linkHash(link.prevHash, link.seq, link.rowCount, link.digest, link.table) !== link.hash)
      fail('broken_link', `link ${link.seq} was edited: its hash does not match its contents`, { seq: link.seq });
    for (const checkpoint of this.bySeq.get(link.seq) ?? []) this.checkpoint(checkpoint, link);
    this.bySeq.delete(link.seq);
    this.last = link;
    this.links++;
    const span = this.spans[link.table] ?? fail('broken_link', `link ${link.seq} names ${link.table}, which the chain does not cover`, { seq: link.seq });
    span.low = Math.min(span.low, link.firstId);
    span.high = Math.max(span.high, link.lastId);
  }

  /** A checkpoint past the last link: the chain's tail was cut. */
  private checkTail(): void {
    const head = this.last?.seq ?? 0;
    const { toSeq } = this.options;
    for (const [seq, checkpoints] of this.bySeq) {
      if (seq <= head || (toSeq !== undefined && seq > toSeq) || (this.first && seq < this.first.seq)) continue;
      const given = checkpoints[0]!;
      fail('truncated', `the chain ends at link ${head}, before ${given.external ? 'a given' : 'a stored'} checkpoint at seq ${seq}: its tail was cut`, { seq });
    }
  }

  /** Each chained table's rows, user_actions first. */
  private async walkRows(): Promise<void> {
    for (const table of Object.keys(this.spans) as ChainedTable[]) await this.walkTable(table);
  }

  /**
   * A table's rows in id order, checked against their batches' digests. A batch is open from where its
   * rows start to where they end (first_id–last_id); batches stored at once are open together. The
   * database hashes the batches first (walkDigests); rows are read and hashed here one by one only from
   * where a digest, a count or a place disagrees, to name what is wrong.
   */
  private async walkTable(table: ChainedTable): Promise<void> {
    const ranged = this.options.fromSeq !== undefined || this.options.toSeq !== undefined;
    const span = this.spans[table];
    if (ranged && span.high === 0) return;
    const lastId = ranged ? span.high : await this.source.lastRowId(table);
    const startId = ranged ? span.low : 1;
    const disagreement = await walkDigests(this.source, table, { startId, lastId, linksReach: Math.max(lastId, span.high) }, this.rowPage, this);
    if (disagreement) await this.walkRowsOf(table, disagreement.afterId, lastId, disagreement.latest);
  }

  /** `table`'s rows after `afterId`, one by one, each one hashed into its batch's digest. */
  private async walkRowsOf(table: ChainedTable, afterId: number, lastId: number, latest: ChainLink | undefined): Promise<void> {
    const rows = new RowWalk(this, this.source, table, afterId + 1, lastId, latest);
    // Two pages are asked for ahead of the one being hashed: the database writes them side by side meanwhile.
    const ahead: Array<Promise<StoredRow[]>> = [];
    const askAhead = () => {
      for (; ahead.length < 2 && afterId < lastId; afterId += this.rowPage) ahead.push(this.source.rows(table, afterId, Math.min(afterId + this.rowPage, lastId)));
    };
    try {
      for (askAhead(); ahead.length > 0;) {
        const page = await ahead.shift()!;
        askAhead();
        for (const row of page) await rows.add(row);
        this.progress();
      }
    } finally {
      await Promise.all(ahead.map((pending) => pending.catch(() => {}))); // pages asked for ahead of a finding
    }
    await rows.end();
  }

  progress(): void {
    this.options.onProgress?.({ rows: this.rows, links: this.links });
  }

  /** Called by RowWalk: a batch's rows are all read. */
  judge(batch: OpenBatch): void {
    if (!batch.judged) return;
    const { link, digest } = batch;
    const found = digest.count;
    const span = `batch ${link.seq} (${link.table === 'user_actions' ? '' : `${link.table} `}ids ${link.firstId}–${link.lastId})`;
    if (found < link.rowCount) {
      const rowId = batch.gap ?? link.firstId;
      fail('deleted', `${span}: ${link.rowCount - found} of its ${link.rowCount} rows are missing, first id ${rowId}`, { seq: link.seq, rowId, table: link.table });
    }
    if (found > link.rowCount) fail('inserted', `${span}: ${found} rows carry its batch number, ${link.rowCount} were chained`, { seq: link.seq, table: link.table });
    if (digest.hex() !== link.digest) fail('modified', `${span}: a row's stored content differs from what was chained`, { seq: link.seq, table: link.table });
  }

  isJudged(link: ChainLink): boolean {
    return this.inRange(link.seq) && link.seq >= (this.first?.seq ?? Infinity) && link.seq <= (this.last?.seq ?? 0);
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

  private remember(checkpoint: Checkpoint, external: boolean): void {
    const list = this.bySeq.get(checkpoint.seq) ?? [];
    list.push({ ...checkpoint, external });
    this.bySeq.set(checkpoint.seq, list);
  }
}

/** The rows pass: rows in id order, the links opened where their rows start and judged where they end. */
class RowWalk {
  private readonly open = new Map<number, OpenBatch>();
  /** The lowest last_id among the open batches: no batch closes before a row passes it. */
  private closesAt = Infinity;
  private readonly links: LinkCursor;
  private previousId: number;

  /** `latest` is the link opened last before `startId`, to place a row without a batch. */
  constructor(
    private readonly verification: Verification,
    private readonly source: ChainSource,
    private readonly table: ChainedTable,
    startId: number,
    private readonly lastId: number,
    private latest: ChainLink | undefined,
  ) {
    this.links = new LinkCursor(source, table, startId);
    this.previousId = startId - 1;
  }

  async add([idText, chainSeq, line]: StoredRow): Promise<void> {
    const id = Number(idText);
    await this.openUntil(id);
    if (id > this.closesAt) this.closeBefore(id);
    if (id > this.previousId + 1) this.hole(this.previousId + 1, id - 1);
    this.previousId = id;
    if (chainSeq === null) {
      if (this.latest) fail('inserted', `${this.rowName(id)} has no chain_seq but comes after chained rows`, { rowId: id, seq: this.latest.seq, table: this.table });
      this.verification.unchained++;
      return;
    }
    const batch = this.open.get(Number(chainSeq));
    if (!batch) return this.misplaced(id, Number(chainSeq));
    batch.digest.addLine(line);
    if (batch.judged) this.verification.rows++;
  }

  async end(): Promise<void> {
    this.closeBefore(Infinity);
    // Links whose rows are all gone: their span was never reached.
    for (let link = await this.links.take(); link && link.firstId <= Math.max(this.lastId, this.verification.spans[this.table].high); link = await this.links.take()) {
      this.verification.judge(this.opened(link));
    }
  }

  private async openUntil(id: number): Promise<void> {
    for (;;) {
      const link = await this.links.peek();
      if (!link || link.firstId > id) return;
      await this.links.take();
      this.open.set(link.batch, this.opened(link));
      this.closesAt = Math.min(this.closesAt, link.lastId);
      this.latest = link;
    }
  }

  /** No row has the ids from `from` to `to`: in an open batch's span, the first of them is its likely deleted row. */
  private hole(from: number, to: number): void {
    for (const batch of this.open.values()) {
      const at = Math.max(from, batch.link.firstId);
      if (batch.gap === undefined && at <= Math.min(to, batch.link.lastId)) batch.gap = at;
    }
  }

  private opened(link: ChainLink): OpenBatch {
    return { link, judged: this.verification.isJudged(link), digest: new BatchDigest(), gap: undefined };
  }

  private closeBefore(id: number): void {
    this.closesAt = Infinity;
    this.hole(this.previousId + 1, id - 1);
    for (const [key, batch] of this.open) {
      if (batch.link.lastId < id) {
        this.verification.judge(batch);
        this.open.delete(key);
      } else {
        this.closesAt = Math.min(this.closesAt, batch.link.lastId);
      }
    }
  }

  /** A row whose chain_seq names no batch stored around it: forged, or its batch's link is gone. */
  private async misplaced(id: number, batch: number): Promise<never> {
    const link = await this.source.linkOfBatch(batch);
    if (!link) return fail('broken_link', `${this.rowName(id)} belongs to batch number ${batch}, but no link chains it`, { rowId: id, table: this.table });
    return fail('inserted', `${this.rowName(id)} claims batch ${link.seq}, whose rows lie at ${link.table} ids ${link.firstId}–${link.lastId}`, {
      rowId: id,
      seq: link.seq,
      table: this.table,
    });
  }

  private rowName(id: number): string {
    return this.table === 'user_actions' ? `row ${id}` : `${this.table} row ${id}`;
  }
}
