import { AuditTrailError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { optionNames, requireKnownOptions } from '../option-keys.js';
import { ifAdvisoryLockFree, LOCK_KEYS } from '../store/advisory-lock.js';
import { maintainPartitions } from '../partitions/maintain.js';
import type { PartitioningConfig } from '../partitions/options.js';
import { claimRound } from '../store/job-round.js';
import type { Store } from '../store/store.js';
import { MIN_PRUNE_AGE_MS, prune } from './prune.js';
import type { Telemetry } from '../telemetry.js';
import { durationMs } from './time.js';

export interface RetentionOptions {
  /** How long rows are kept: a duration such as `365d`. */
  olderThan: string;
  /** How often to prune; default `1h`. */
  every?: string;
}

export interface RetentionConfig {
  readonly olderThan: string;
  readonly everyMs: number;
}

export function resolveRetention(options: RetentionOptions | undefined): RetentionConfig | undefined {
  if (options === undefined) return undefined;
  requireKnownOptions(options, optionNames<RetentionOptions>({ olderThan: true, every: true }), 'retention.');
  const check = (name: string, value: unknown) => {
    try {
      return durationMs(String(value), name);
    } catch {
      throw new AuditTrailError('invalid_option', `retention.${name} must be a duration such as 30s, 15m, 24h or 365d; got ${JSON.stringify(value)}.`);
    }
  };
  if (check('olderThan', options.olderThan) < MIN_PRUNE_AGE_MS) {
    throw new AuditTrailError(
      'invalid_option',
      `retention.olderThan must be at least 1d: a shorter one would prune rows still being written; got ${JSON.stringify(options.olderThan)}.`,
    );
  }
  return Object.freeze({ olderThan: options.olderThan, everyMs: Math.max(1_000, check('every', options.every ?? '1h')) });
}

/**
 * A round claimed by one process keeps the others out for this share of `every`: a little less than all
 * of it, so that the claimer's own next round, which a timer may fire a hair early, is never refused.
 */
const ROUND_SHARE = 0.9;
/** How often partitions are kept up when partitioning is on and retention is not. */
const DEFAULT_EVERY_MS = 3_600_000;

/** What the retention task does each round: prune, keep partitions up, or both. */
export interface RetentionJobs {
  readonly retention: RetentionConfig | undefined;
  readonly partitioning: PartitioningConfig | undefined;
  readonly telemetry?: Telemetry;
}

/**
 * Prunes, and keeps partitions made ahead (src/partitions/), now and then every `everyMs`, inside the app. Several instances may run it, their timers in or
 * out of step: the advisory lock keeps two from pruning at once, and the round each claims in the
 * database keeps a later one from pruning again in the same round. The timer never keeps the process alive.
 */
export function startRetention(store: () => Promise<Store>, jobs: RetentionJobs, logger: Logger, signingKey?: string): { stop(): Promise<void> } {
  const { retention, partitioning, telemetry } = jobs;
  const everyMs = retention?.everyMs ?? DEFAULT_EVERY_MS;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const round = async () => {
    try {
      const opened = await store();
      let claimed = false;
      const ran = await ifAdvisoryLockFree(opened.sequelize, LOCK_KEYS.retention, async () => {
        claimed = await claimRound(opened.sequelize, 'retention', everyMs * ROUND_SHARE);
        if (!claimed) return;
        logger.debug('retention: this instance runs the round');
        if (partitioning) await maintainPartitions(opened.sequelize, partitioning, { logger, telemetry });
        if (!retention) return;
        const { deleted, deletedChanges, partitionsDropped, cutoff } = await prune(opened, { olderThan: retention.olderThan, signal: stopping.signal, signingKey });
        if (deleted + deletedChanges + partitionsDropped > 0) {
          logger.info(
            `retention: pruned ${deleted} audit row(s) and ${deletedChanges} change row(s), and dropped ${partitionsDropped} partition(s), older than ${cutoff.toISOString()}`,
          );
        }
      });
      if (!ran || !claimed) logger.debug('retention: another instance runs this round; skipped');
    } catch (error) {
      logger.error(`retention: ${partitioning ? 'partition upkeep or ' : ''}pruning audit rows failed: ${messageOf(error)}`);
    }
  };
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      running = round().finally(() => {
        running = undefined;
        if (!stopping.signal.aborted) schedule(everyMs);
      });
    }, delayMs);
    timer.unref();
  };
  schedule(0);

  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
