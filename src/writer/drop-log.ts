import type { Logger } from '../logger.js';
import type { DropReason, Telemetry } from '../telemetry.js';

const LOG_EVERY_MS = 10_000;

/**
 * Counts every event that will never be stored, with its reason, in telemetry at once and in the log
 * at most once per ten seconds: a flood of drops must not become a flood of log lines.
 */
export class DropLog {
  private pending = new Map<DropReason, number>();
  private lastLogged = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly telemetry: Telemetry,
  ) {}

  count(reason: DropReason, count: number): void {
    if (count === 0) return;
    this.telemetry.emit('dropped', { reason, count });
    this.pending.set(reason, (this.pending.get(reason) ?? 0) + count);
    const wait = this.lastLogged + LOG_EVERY_MS - Date.now();
    if (wait <= 0) this.log();
    else this.timer ??= setTimeout(() => this.log(), wait).unref();
  }

  /** One event nothing could make storable: logged by itself with the reason (it names the request), and counted. */
  unwritable(id: string, what: string, reason: string): void {
    this.logger.error(`audit event ${id} (${what}) is unwritable: ${reason}`);
    this.count('unwritable', 1);
  }

  /** Logs what is still uncounted in the log, e.g. before close() returns. */
  log(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const parts = [...this.pending].map(([reason, count]) => `${count} ${reason}`);
    this.pending.clear();
    this.lastLogged = Date.now();
    this.logger.error(`audit events dropped, never to be stored: ${parts.join(', ')}`);
  }
}
