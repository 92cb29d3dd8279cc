import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs } from '../backoff.js';
import { AuditTrailError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { hopeless } from './hopeless.js';

/** The longest wait between two background attempts. */
const MAX_RETRY_DELAY_MS = 30_000;

export interface ReadinessOptions<T> {
  /** The first attempts, as configured; ready() reports how they ended. */
  readonly first: Promise<T>;
  /** One later attempt: connect, migrate, and hand back what is then ready. */
  readonly attempt: () => Promise<T>;
  readonly label: string;
  readonly retryDelayMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Called once, when the store is first ready. */
  readonly onReady: () => void;
}

/**
 * The trail's way to a ready store. If the first attempts fail for a reason that may pass, it keeps trying in
 * the background with capped backoff: ready() rejects to tell the host, and the trail heals on its own once
 * the database answers. Errors no retry can fix end it at once.
 */
export class Readiness<T> {
  private current: Promise<T>;
  private isReady = false;
  private awaited = false;
  /** Settles once no attempt is under way any more: ready, given up, or closed. */
  readonly settled: Promise<void>;

  constructor(private readonly options: ReadinessOptions<T>) {
    this.current = options.first;
    this.settled = this.run();
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** What the trail's own users wait on: pending during the first attempts, rejected while retrying, then the store. */
  store(): Promise<T> {
    return this.current;
  }

  /** The host's ready(): the host hears of a failure here, so the log need not say it again. */
  awaitReady(): Promise<T> {
    this.awaited = true;
    return this.current;
  }

  private async run(): Promise<void> {
    const { logger, signal, label } = this.options;
    try {
      await this.options.first;
      this.becameReady();
      return;
    } catch (error) {
      if (signal.aborted) return;
      if (!this.awaited) logger.error(`audit trail is not ready: ${messageOf(error)}`);
      if (hopeless(error, label)) return;
      logger.warn(`still trying the database at ${label} in the background; audit events are spilled to disk until it answers`);
    }
    const since = Date.now();
    for (let attempt = 1; ; attempt++) {
      await sleep(retryDelayMs(attempt, this.options.retryDelayMs, MAX_RETRY_DELAY_MS), undefined, { signal, ref: false }).catch(() => {});
      if (signal.aborted) return;
      try {
        const ready = await this.options.attempt();
        this.current = Promise.resolve(ready);
        logger.info(`the database at ${label} answered after ${((Date.now() - since) / 1000).toFixed(1)} s of background attempts; the audit trail is ready`);
        this.becameReady();
        return;
      } catch (error) {
        const fatal = hopeless(error, label);
        this.current = rejected(
          fatal ?? new AuditTrailError('connection_failed', `the database at ${label} has not answered yet (${messageOf(error)}); retrying in the background`, { cause: error }),
        );
        if (fatal) return void logger.error(`audit trail gave up on the database: ${fatal.message}`);
      }
    }
  }

  private becameReady(): void {
    this.isReady = true;
    this.options.onReady();
  }
}

/** A rejection that is not unhandled while nobody has asked for it yet. */
function rejected<T>(error: unknown): Promise<T> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise as Promise<T>;
}
