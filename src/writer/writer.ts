import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../capture/event.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { retryDelayMs } from './backoff.js';
import type { DropLog } from './drop-log.js';
import { newEventId } from './event-id.js';
import { Overflow, type OverflowPolicy } from './overflow.js';
import { EventQueue, settle, type QueuedEvent } from './queue.js';
import type { SpillFile } from './spill.js';
import { storeBatch, type StoreContext } from './store-batch.js';

export interface WriterOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Batches written at once, each on its own pooled connection. */
  readonly maxInFlight: number;
  readonly maxQueue: number;
  readonly onOverflow: OverflowPolicy;
  readonly blockTimeoutMs: number;
  /** Strict mode: record() resolves once the event is durable; batches go as soon as a slot is free. */
  readonly strict: boolean;
  readonly maxRetryDelayMs: number;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly spill: SpillFile;
  readonly drops: DropLog;
}

/**
 * Events → batches → rows, off the request path. A batch goes when it is full or when the flush
 * interval has passed. A connection-class failure puts the batch back at the head and retries with
 * capped, jittered backoff; beyond `maxQueue` the overflow policy applies; spilled events are replayed
 * once the database answers. Every event ends stored, spilled, or counted as dropped.
 */
export class Writer {
  private readonly queue = new EventQueue();
  private readonly overflow: Overflow;
  private readonly inFlight = new Set<readonly QueuedEvent[]>();
  private busy = 0;
  private timer: NodeJS.Timeout | undefined;
  private overdue = false;
  private pumpQueued = false;
  private failures = 0;
  private failingSince = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private replayWaiter: (() => void) | undefined;
  private spilling = 0;
  private idleWaiters: Array<() => void> = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly store: StoreContext,
    private readonly options: WriterOptions,
  ) {
    this.overflow = new Overflow(this.queue, options, {
      spill: (entries) => this.spillOut(entries),
      drop: (entries) => this.drop(entries),
      admitted: () => this.kick(),
    });
  }

  get depth(): number {
    return this.queue.length + this.overflow.waiting;
  }

  /** Never waits on I/O. Strict mode returns the durability promise; `block` a promise while it waits for space. */
  record(event: AuditEvent): void | Promise<void> {
    const entry: QueuedEvent = { id: newEventId(), event };
    const durable = this.options.strict ? new Promise<void>((resolve) => (entry.durable = resolve)) : undefined;
    if (this.options.strict && this.failures > 0) {
      this.spillOut([entry]); // in an outage, the spill file is the fastest durable place
    } else if (this.queue.length >= this.options.maxQueue) {
      const waiting = this.overflow.accept(entry);
      return durable ?? waiting;
    } else {
      this.queue.push(entry);
      this.kick();
    }
    return durable;
  }

  /** Resolves once everything recorded so far is stored (spilled events replayed included). */
  flush(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    this.overdue = true;
    this.schedulePump();
    this.replaySpilled(false);
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Replays closed spill segments, e.g. a crashed process's at start. `always`: even if this process spilled nothing. */
  replaySpilled(always = true): void {
    if (this.replaying || this.closed) return;
    if (!always && !this.options.spill.holdsEvents) return;
    this.replaying = this.replay()
      .then((finished) => {
        this.replaying = undefined;
        if (finished && this.options.spill.holdsEvents) this.replaySpilled(false);
      }, (error: unknown) => {
        this.replaying = undefined;
        this.options.logger.error(`audit spill replay stopped: ${messageOf(error)}`);
      })
      .finally(() => this.settleIdle());
  }

  /** Writes what it can within the deadline, spills the rest (in-flight batches too: replay skips what landed). */
  async close(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.failures === 0) {
      this.schedulePump();
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await Promise.race([idle, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    const left = [...this.overflow.drain(), ...[...this.inFlight].flat(), ...this.queue.drain()];
    if (left.length > 0) {
      await this.options.spill.append(left).then(
        () => this.options.logger.warn(`${left.length} audit event(s) not written by close() were spilled to ${this.options.spill.dir}; the next start replays them`),
        (error: unknown) => {
          this.options.logger.error(`could not spill at close(): ${messageOf(error)}`);
          this.options.drops.count('shutdown_timeout', left.length);
        },
      );
      settle(left);
    }
    await this.options.spill.close();
    this.options.drops.log();
    this.settleIdle(true);
  }

  private kick(): void {
    if (this.queue.length >= this.options.batchSize || this.options.strict) this.schedulePump();
    else this.armTimer();
  }

  private armTimer(): void {
    if (!this.timer && !this.overdue) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.overdue = true;
        this.pump();
      }, this.options.flushIntervalMs);
      this.timer.unref(); // an audit timer alone must never keep the host process alive
    }
  }

  /** Deferred, so record() does no serialization or I/O of its own; it also coalesces a tick's events. */
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpQueued = false;
    if (this.closed) return;
    // In an outage a single batch probes the database; the rest wait.
    const slots = this.failures > 0 ? 1 : this.options.maxInFlight;
    while (this.busy < slots && this.retryTimer === undefined) {
      if (this.replayWaiter) {
        const go = this.replayWaiter;
        this.replayWaiter = undefined;
        this.busy++;
        go();
        continue;
      }
      const { length } = this.queue;
      if (length === 0 || (length < this.options.batchSize && !this.overdue && !this.options.strict && !this.draining)) break;
      void this.send(this.queue.take(this.options.batchSize));
      this.overflow.admit();
    }
    if (this.queue.length === 0) this.overdue = false;
    else this.armTimer();
    this.settleIdle();
  }

  private async send(batch: readonly QueuedEvent[]): Promise<void> {
    this.busy++;
    this.inFlight.add(batch);
    try {
      await this.write(batch);
      settle(batch);
    } catch (error) {
      if (!this.closed) {
        this.queue.requeue(batch);
        this.failed(error);
      }
    } finally {
      this.busy--;
      this.inFlight.delete(batch);
      this.pump();
    }
  }

  /** One batch through the bisecting store; a connection-class failure is thrown. */
  private async write(batch: readonly QueuedEvent[]): Promise<number> {
    const started = performance.now();
    const stored = batch.length - (await storeBatch(this.store, batch));
    this.options.telemetry.emit('batch_written', { size: stored, durationSeconds: (performance.now() - started) / 1000 });
    if (this.failures > 0) {
      const seconds = ((Date.now() - this.failingSince) / 1000).toFixed(1);
      this.options.logger.info(`audit writes recovered after ${this.failures} failed attempt(s) over ${seconds} s`);
      this.failures = 0;
    }
    this.replaySpilled(false);
    return stored;
  }

  private failed(error: unknown): void {
    this.failures++;
    this.options.telemetry.emit('write_retried', { error });
    if (this.failures === 1) {
      this.failingSince = Date.now();
      const keeping = this.options.strict ? 'spilling events to disk' : `keeping ${this.queue.length} event(s) queued`;
      this.options.logger.warn(`audit writes are failing (${messageOf(error)}); ${keeping} and retrying with backoff`);
    }
    if (this.options.strict) this.spillOut(this.queue.drain());
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.overdue = true;
      this.pump();
      if (this.queue.length === 0) this.replaySpilled(); // with nothing queued, the replay is the probe
    }, retryDelayMs(this.failures, this.options.flushIntervalMs, this.options.maxRetryDelayMs)).unref();
  }

  /** Replays closed segments in order; false when it stopped early (an outage, or close()). */
  private async replay(): Promise<boolean> {
    const { spill, batchSize, telemetry } = this.options;
    await spill.rotate();
    for (const file of await spill.replayable()) {
      for await (const batch of spill.read(file, batchSize)) {
        if (this.closed || this.draining) return false;
        await new Promise<void>((resolve) => {
          this.replayWaiter = resolve;
          this.schedulePump();
        });
        try {
          telemetry.emit('events_replayed', { count: await this.write(batch) });
        } catch (error) {
          if (!this.closed) this.failed(error);
          return false;
        } finally {
          this.busy--;
          this.schedulePump();
        }
      }
      await spill.remove(file);
    }
    return true;
  }

  private spillOut(entries: readonly QueuedEvent[]): void {
    if (entries.length === 0) return;
    this.spilling++;
    this.options.spill
      .append(entries)
      .then(
        () => this.replaySpilled(false),
        (error: unknown) => {
          this.options.logger.error(`could not spill audit events to ${this.options.spill.dir}: ${messageOf(error)}`);
          this.options.drops.count('spill_failed', entries.length);
        },
      )
      .finally(() => {
        settle(entries);
        this.spilling--;
        this.settleIdle();
      });
  }

  private drop(entries: readonly QueuedEvent[]): void {
    this.options.drops.count('queue_full', entries.length);
    settle(entries);
  }

  private idle(): boolean {
    if (this.queue.length > 0 || this.busy > 0 || this.overflow.waiting > 0 || this.spilling > 0) return false;
    return this.draining || (!this.replaying && !this.options.spill.holdsEvents);
  }

  private settleIdle(force = false): void {
    if (this.idleWaiters.length === 0 || !(force || this.idle())) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
