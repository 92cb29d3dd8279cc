import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { retryDelayMs } from '../backoff.js';

/**
 * Whether the database is failing, and when to try again. Logs once when writes start failing and once
 * when they recover, never once per try.
 */
export class Outage {
  private failures = 0;
  private since = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retry: (() => void) | undefined;

  constructor(private readonly options: { readonly flushIntervalMs: number; readonly maxRetryDelayMs: number; readonly logger: Logger; readonly telemetry: Telemetry }) {}

  get failing(): boolean {
    return this.failures > 0;
  }

  /** True while a retry is scheduled: nothing is sent until it fires. */
  get waiting(): boolean {
    return this.retryTimer !== undefined;
  }

  failed(error: unknown, keeping: () => string, retry: () => void): void {
    this.failures++;
    this.options.telemetry.emit('write_retried', { error });
    if (this.failures === 1) {
      this.since = Date.now();
      this.options.logger.warn(`audit writes are failing (${messageOf(error)}); ${keeping()} and retrying with backoff`);
    }
    this.retry = retry;
    this.retryTimer ??= setTimeout(() => this.retryNow(), retryDelayMs(this.failures, this.options.flushIntervalMs, this.options.maxRetryDelayMs)).unref();
  }

  /** Runs the scheduled retry at once, if one is waiting. */
  retryNow(): void {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retry?.();
  }

  succeeded(): void {
    if (this.failures === 0) return;
    const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
    this.options.logger.info(`audit writes recovered after ${this.failures} failed attempt(s) over ${seconds} s`);
    this.failures = 0;
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
