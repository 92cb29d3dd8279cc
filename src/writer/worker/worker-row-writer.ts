import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChangeEvent } from '../../changes/change-event.js';
import { CHANGES_INSERT, changeRowOf } from '../../changes/postgres-insert.js';
import { announceCheckpoint } from '../../integrity/announce.js';
import type { Checkpoint } from '../../integrity/checkpoint.js';
import type { Logger } from '../../logger.js';
import { idsAndRowsOf, INSERT, type QueryReport } from '../postgres-fast-path.js';
import type { RowText } from '../row-text.js';
import type { RowWriter } from '../row-writer.js';
import { fromWire, type FromWorker, type ToWorker, type WorkerSettings } from './protocol.js';

interface Pending {
  /** The statement the worker runs, for the query metrics. */
  readonly statement: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** How long close() lets the worker end its connections before terminating it. */
const CLOSE_GRACE_MS = 5_000;

/**
 * The host's side of the PostgreSQL worker: one `postMessage` per batch, each event as its row's text.
 * A worker that crashes or is terminated fails its unanswered batches like a lost connection, so the
 * writer retries them (idempotent by event id) on a worker started afresh.
 */
export class WorkerRowWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly report: QueryReport,
    private readonly logger: Logger,
    private readonly onCheckpoint?: (checkpoint: Checkpoint) => void,
  ) {}

  /** Starts the thread ahead of the first batch, which would otherwise wait for it to load. */
  warm(): void {
    this.worker ??= this.start();
  }

  readonly write: RowWriter<RowText> = (entries) => this.post({ type: 'write', id: ++this.lastId, idsAndRows: idsAndRowsOf(entries) });

  /** Model changes, to their own table (src/changes/). */
  readonly writeChanges: RowWriter<ChangeEvent> = (entries) => this.post({ type: 'changes', id: ++this.lastId, rows: entries.map(changeRowOf) });

  private post(message: Exclude<ToWorker, { type: 'close' }>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = this.worker ?? this.start();
      try {
        worker.postMessage(message);
      } catch (error) {
        // A value structured cloning refuses belongs to one row: a TypeError makes the writer bisect.
        reject(new TypeError(`audit event could not be handed to the writer thread: ${(error as Error).message}`));
        return;
      }
      // An idle worker must never keep the host process alive; one with a batch under way does.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(message.id, { statement: message.type === 'write' ? INSERT : CHANGES_INSERT, resolve, reject });
    });
  }

  /** Lets the worker close its connections; the writer has already written or spilled every batch. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    await exited.catch(() => {});
    clearTimeout(timer);
  }

  private start(): Worker {
    const worker = startWorker(this.settings);
    worker.unref();
    worker.on('message', (reply: FromWorker) => this.answered(worker, reply));
    worker.on('error', (error) => this.logger.error(`the audit writer thread failed: ${error.message}`));
    worker.once('exit', (code) => this.exited(worker, code));
    this.worker = worker;
    return worker;
  }

  private answered(worker: Worker, reply: FromWorker): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) worker.unref();
    this.report(waiting.statement, reply.durationMs, reply.error !== undefined);
    if (reply.error) return waiting.reject(fromWire(reply.error));
    waiting.resolve();
    if (reply.checkpoint) announceCheckpoint(this.onCheckpoint, reply.checkpoint, this.logger);
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker === worker) this.worker = undefined;
    if (this.pending.size === 0) return;
    // No `code` on this error: the writer classes it as a connection failure and retries the batches.
    const error = new Error(`the audit writer thread exited (code ${code}) with ${this.pending.size} batch(es) unanswered`);
    this.logger.warn(`${error.message}; they are retried on a new thread`);
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/**
 * The built worker sits beside the bundles in dist/. From the TypeScript sources (tests, benches) it is
 * compiled by tsx's require hook: Node 20 applies no `--import` loader to a worker's entry module.
 */
function startWorker(workerData: WorkerSettings): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./writer-worker.js', import.meta.url), { workerData });
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL('./postgres-worker.ts', import.meta.url));
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, { eval: true, workerData });
}
