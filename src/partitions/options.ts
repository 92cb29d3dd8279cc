import { AuditTrailError } from '../errors.js';
import { optionNames, requireKnownOptions } from '../option-keys.js';
import { INTERVALS, type Interval } from './intervals.js';

export interface PartitioningOptions {
  /** How much time each partition holds: `day`, `week` (from Monday, UTC) or `month`. */
  interval: Interval;
  /** Partitions made ahead of the current one; default 3. */
  premake?: number;
}

export interface PartitioningConfig {
  readonly interval: Interval;
  readonly premake: number;
}

const OPTIONS = optionNames<PartitioningOptions>({ interval: true, premake: true });

export function resolvePartitioning(options: PartitioningOptions | undefined): PartitioningConfig | undefined {
  if (options === undefined) return undefined;
  requireKnownOptions(options, OPTIONS, 'partitioning.');
  if (!INTERVALS.includes(options.interval)) {
    throw new AuditTrailError('invalid_option', `partitioning.interval must be one of ${INTERVALS.join(', ')}; got ${JSON.stringify(options.interval)}.`);
  }
  const premake = options.premake ?? 3;
  if (!Number.isSafeInteger(premake) || premake < 1 || premake > 366) {
    throw new AuditTrailError('invalid_option', `partitioning.premake must be an integer from 1 to 366; got ${JSON.stringify(options.premake)}.`);
  }
  return Object.freeze({ interval: options.interval, premake });
}
