import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../capture/event.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';

export interface BatchWriterOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxRetryDelayMs: number;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
}

export type WriteBatch = (events: readonly AuditEvent[]) => Promise<void>;

/**
 * Collects events in memory and writes them in batches, off the request path: `record()` never waits.
 * A batch that fails goes back to the head of the queue and is retried with capped exponential backoff.
 */
export class BatchWriter {
  private queue: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failures = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly writeBatch: WriteBatch,
    private readonly options: BatchWriterOptions,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  record(event: AuditEvent): void {
    this.queue.push(event);
    if (this.failures > 0) return; // the retry timer is already set
    if (this.queue.length >= this.options.batchSize) this.schedule(0);
    else if (!this.timer) this.schedule(this.options.flushIntervalMs);
  }

  /** Resolves once everything recorded before the call is stored. */
  async flush(): Promise<void> {
    if (this.queue.length === 0 && !this.writing) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failures === 0) this.schedule(0);
    await idle;
  }

  /** Stops the timer; events still queued are returned so the caller can decide their fate. */
  stop(): AuditEvent[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.queue;
    this.queue = [];
    return left;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNext();
    }, delayMs);
    // An audit timer alone must never keep the host process alive.
    this.timer.unref();
  }

  private async writeNext(): Promise<void> {
    if (this.writing) return;
    const batch = this.queue.splice(0, this.options.batchSize);
    if (batch.length === 0) return this.settleIdle();
    const started = performance.now();
    this.writing = this.writeBatch(batch).then(
      () => {
        this.options.telemetry.emit('batch_written', { size: batch.length, durationSeconds: (performance.now() - started) / 1000 });
        this.onWritten();
      },
      (error: unknown) => this.onFailed(batch, error),
    );
    await this.writing;
  }

  private onWritten(): void {
    this.writing = undefined;
    if (this.failures > 0) this.options.logger.info(`audit writes recovered after ${this.failures} failed attempt(s)`);
    this.failures = 0;
    if (this.queue.length > 0) this.schedule(0);
    else this.settleIdle();
  }

  private onFailed(batch: AuditEvent[], error: unknown): void {
    this.writing = undefined;
    this.queue.unshift(...batch);
    this.failures++;
    this.options.telemetry.emit('write_retried', { error });
    // One line per change of state, not one per try.
    if (this.failures === 1) {
      this.options.logger.warn(`audit write failed, keeping ${this.queue.length} event(s) queued and retrying: ${messageOf(error)}`);
    }
    const backoff = Math.min(this.options.maxRetryDelayMs, this.options.flushIntervalMs * 2 ** this.failures);
    this.schedule(backoff / 2 + Math.random() * (backoff / 2));
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
