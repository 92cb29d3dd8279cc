import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../capture/event.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { DropLog } from './drop-log.js';
import { newEventId } from './event-id.js';
import { Outage } from './outage.js';
import { Overflow, type OverflowPolicy } from './overflow.js';
import { BATCH_BYTES, EventQueue, settle, type QueuedEvent } from './queue.js';
import { replaySegments, type ReplayTarget } from './replay.js';
import type { SpillFile } from './spill.js';
import { storeBatch, type StoreContext } from './store-batch.js';

export interface WriterOptions<E = AuditEvent> {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Batches written at once, each on its own pooled connection. */
  readonly maxInFlight: number;
  readonly maxQueue: number;
  readonly maxQueueBytes: number;
  readonly onOverflow: OverflowPolicy;
  readonly blockTimeoutMs: number;
  /** Strict mode: record() resolves once the event is durable; batches go as soon as a slot is free. */
  readonly strict: boolean;
  /** Whether an outage sends events to the spill file at once rather than queueing them (always so in strict mode). */
  readonly spillInOutage: () => boolean;
  readonly maxRetryDelayMs: number;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly spill: SpillFile<E>;
  readonly drops: DropLog;
}

/**
 * Events → batches → rows, off the request path. A batch goes when it is full or when the flush
 * interval has passed. A connection-class failure puts the batch back at the head and retries with
 * capped, jittered backoff; beyond `maxQueue` events or `maxQueueBytes` the overflow policy applies; spilled events are replayed
 * once the database answers. Every event ends stored, spilled, or counted as dropped.
 */
export class Writer<E = AuditEvent> {
  private readonly queue: EventQueue<E>;
  private readonly overflow: Overflow<E>;
  private readonly inFlight = new Set<readonly QueuedEvent<E>[]>();
  private busy = 0;
  private timer: NodeJS.Timeout | undefined;
  private overdue = false;
  private pumpQueued = false;
  private readonly outage: Outage;
  private replaying: Promise<void> | undefined;
  private replayWaiter: (() => void) | undefined;
  private spilling = 0;
  private idleWaiters: Array<() => void> = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly store: StoreContext<E>,
    private readonly options: WriterOptions<E>,
  ) {
    this.queue = new EventQueue(options, store.kind.bytes);
    this.overflow = new Overflow(this.queue, options, {
      spill: (entries) => this.spillOut(entries),
      drop: (entries) => this.drop(entries),
      admitted: () => this.kick(),
    });
    this.outage = new Outage(options);
  }

  get depth(): number {
    return this.queue.length + this.overflow.waiting;
  }

  /**
   * Never waits on I/O. Strict mode returns the durability promise; `block` a promise while it waits for space.
   * `id` when the event's id was handed out before it was recorded (a request's changes point to it).
   */
  record(event: E, id = newEventId()): void | Promise<void> {
    const entry: QueuedEvent<E> = { id, event };
    const durable = this.options.strict ? new Promise<void>((resolve) => (entry.durable = resolve)) : undefined;
    if (this.closed) {
      this.spillAtOnce(entry);
    } else if (this.outage.failing && this.spillsInOutage()) {
      this.spillOut([entry]);
    } else if (!this.queue.fits(entry)) {
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
    this.replaying = replaySegments(this.options.spill, this.options.batchSize, this.options.telemetry, this.replayTarget)
      .then(
        (finished) => {
          this.replaying = undefined;
          if (finished && this.options.spill.holdsEvents) this.replaySpilled(false);
        },
        (error: unknown) => {
          this.replaying = undefined;
          this.options.logger.error(`audit spill replay stopped: ${messageOf(error)}`);
        },
      )
      .finally(() => this.settleIdle());
  }

  /** The database answers again (e.g. the trail just became ready): retry now, not at the end of the backoff, and replay. */
  resume(): void {
    this.outage.retryNow();
    this.replaySpilled();
  }

  /** Writes what it can within the deadline, spills the rest (in-flight batches too: replay skips what landed). */
  async close(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (!this.outage.failing) {
      this.schedulePump();
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await Promise.race([idle, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    clearTimeout(this.timer);
    this.outage.stop();
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
    if (this.queue.holdsBatch(this.options.batchSize) || this.options.strict) this.schedulePump();
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
    const slots = this.outage.failing ? 1 : this.options.maxInFlight;
    while (this.busy < slots && !this.outage.waiting) {
      if (this.replayWaiter) {
        const go = this.replayWaiter;
        this.replayWaiter = undefined;
        this.busy++;
        go();
        continue;
      }
      if (this.queue.length === 0) break;
      if (!this.queue.holdsBatch(this.options.batchSize) && !this.overdue && !this.options.strict && !this.draining) break;
      void this.send(this.queue.take(this.options.batchSize, BATCH_BYTES));
      this.overflow.admit();
    }
    if (this.queue.length === 0) this.overdue = false;
    else this.armTimer();
    this.settleIdle();
  }

  private async send(batch: readonly QueuedEvent<E>[]): Promise<void> {
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
  private async write(batch: readonly QueuedEvent<E>[]): Promise<number> {
    const started = performance.now();
    const stored = batch.length - (await storeBatch(this.store, batch));
    this.options.telemetry.emit('batch_written', { size: stored, durationSeconds: (performance.now() - started) / 1000 });
    this.outage.succeeded();
    this.replaySpilled(false);
    return stored;
  }

  private spillsInOutage(): boolean {
    return this.options.strict || this.options.spillInOutage();
  }

  private failed(error: unknown): void {
    const spill = this.spillsInOutage();
    this.outage.failed(
      error,
      () => (spill ? 'spilling events to disk' : `keeping ${this.queue.length} event(s) queued`),
      () => {
        this.overdue = true;
        this.pump();
        if (this.queue.length === 0) this.replaySpilled(); // with nothing queued, the replay is the probe
      },
    );
    if (spill) this.spillOut(this.queue.drain()); // in an outage, the spill file is the fastest durable place
  }

  private readonly replayTarget: ReplayTarget<E> = {
    acquire: () =>
      new Promise((resolve) => {
        this.replayWaiter = resolve;
        this.schedulePump();
      }),
    release: () => {
      this.busy--;
      this.schedulePump();
    },
    write: (batch) => this.write(batch),
    failed: (error) => {
      if (!this.closed) this.failed(error);
    },
    stopping: () => this.closed || this.draining,
  };

  private spillOut(entries: readonly QueuedEvent<E>[]): void {
    if (entries.length === 0) return;
    this.spilling++;
    this.options.spill
      .append(entries)
      .then(
        // In an outage a replay would only hold a batch read back from disk until the probe succeeds.
        () => this.outage.failing || this.replaySpilled(false),
        // The spill file logs the failing spell; each event lost to it is counted.
        () => this.options.drops.count('spill_failed', entries.length),
      )
      .finally(() => {
        settle(entries);
        this.spilling--;
        this.settleIdle();
      });
  }

  /** After close(): the process may be exiting, so the event goes to disk before record() returns. */
  private spillAtOnce(entry: QueuedEvent<E>): void {
    try {
      this.options.spill.appendSync([entry]);
    } catch (error) {
      this.options.logger.error(`could not spill an audit event recorded after close(): ${messageOf(error)}`);
      this.options.drops.count('spill_failed', 1);
    }
    settle([entry]);
  }

  private drop(entries: readonly QueuedEvent<E>[]): void {
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
