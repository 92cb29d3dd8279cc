import { prune } from '../query/prune.js';
import type { Store } from '../store/store.js';
import type { Output } from './output.js';
import { count, text, type CliValues } from './read-options.js';
import { readInput } from './read-file.js';
import { UsageError } from './usage-error.js';

/** `audit-trail prune --older-than 365d [--dry-run]`: the retention job, run by hand or from cron. */
export async function runPruneCommand(store: Store, values: CliValues, { out }: Output): Promise<number> {
  const olderThan = text(values, 'older-than');
  if (!olderThan) throw new UsageError('prune needs --older-than, such as --older-than 365d');
  const batchSize = count(values, 'batch-size');
  const keyFile = text(values, 'signing-key');
  const signingKey = keyFile === undefined ? undefined : await readInput(keyFile, '--signing-key');
  const result = await prune(store, {
    olderThan,
    dryRun: values['dry-run'] === true,
    force: values.force === true,
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(signingKey === undefined ? {} : { signingKey }),
  });
  const cutoff = result.cutoff.toISOString();
  out(
    result.wouldDelete === undefined
      ? `deleted ${result.deleted} audit row(s) and ${result.deletedChanges} change row(s)${result.partitionsDropped > 0 ? `, and dropped ${result.partitionsDropped} partition(s),` : ''} older than ${cutoff}`
      : `dry run: would delete ${result.wouldDelete} audit row(s) and ${result.wouldDeleteChanges ?? 0} change row(s) older than ${cutoff}`,
  );
  return 0;
}
