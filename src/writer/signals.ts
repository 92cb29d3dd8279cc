import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `handleSignals: true`: on SIGTERM or SIGINT, close the trail (write or spill what is queued), then
 * let the signal do what it would have done. A host with handlers of its own keeps control of exiting.
 */
export function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      logger.info(`${signal}: closing the audit trail`);
      close()
        .catch((error: unknown) => logger.error(`audit trail close() on ${signal} failed: ${messageOf(error)}`))
        .finally(() => {
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
    });
  }
}
