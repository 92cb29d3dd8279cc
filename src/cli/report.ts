import type { Bucket } from '../query/buckets.js';
import { activityTimeline, failedActions, slowOperations, type SlowOperation, type TimelineBucket } from '../query/reports.js';
import type { Store } from '../store/store.js';
import { printPage } from './logs.js';
import { printRows, type Columns, type Output } from './output.js';
import { count, text, time, type CliValues } from './read-options.js';
import { UsageError } from './usage-error.js';

const SLOW_COLUMNS: Columns<SlowOperation> = {
  header: ['ACTION', 'AVG MS', 'MAX MS', 'COUNT'],
  cells: (row) => [row.actionType, String(row.avgDurationMs), String(row.maxDurationMs), String(row.count)],
  empty: 'no operations that slow',
};

const TIMELINE_COLUMNS: Columns<TimelineBucket> = {
  header: ['BUCKET', 'EVENTS', 'ERRORS', 'DENIED'],
  cells: (row) => [row.bucket.toISOString(), String(row.events), String(row.errors), String(row.denied)],
  empty: 'no activity',
};

/** Only the options the user gave: the reports keep their own defaults for the rest. */
function given<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `audit-trail report failed|slow|timeline`: the reference's three example queries. */
export async function runReportCommand(store: Store, report: string | undefined, values: CliValues, output: Output): Promise<number> {
  const json = values.json === true;
  const since = time(values, 'since');
  switch (report) {
    case 'failed': {
      const query = given({ username: text(values, 'user'), userId: text(values, 'user-id'), since, limit: count(values, 'limit'), cursor: text(values, 'cursor') });
      printPage(await failedActions(store, query), json, output);
      return 0;
    }
    case 'slow':
      printRows(await slowOperations(store, given({ minDurationMs: count(values, 'min-duration'), since })), SLOW_COLUMNS, json, output);
      return 0;
    case 'timeline': {
      const query = given({ userId: text(values, 'user-id'), since, bucket: text(values, 'bucket') as Bucket | undefined });
      printRows(await activityTimeline(store, query), TIMELINE_COLUMNS, json, output);
      return 0;
    }
    default:
      throw new UsageError(report ? `unknown report: ${report} (expected failed, slow or timeline)` : 'which report? failed, slow or timeline');
  }
}
