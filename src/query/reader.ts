import { queryChanges, type ChangePage, type ChangeQuery } from '../changes/query-changes.js';
import type { Store } from '../store/store.js';
import type { AuditLogPage, AuditLogQuery } from './query.js';
import { queryLog } from './query.js';
import { prune, type PruneOptions, type PruneResult } from './prune.js';
import { verifyTrail } from '../integrity/index.js';
import type { VerifyOptions, VerifyReport } from '../integrity/verify.js';
import {
  activityTimeline,
  failedActions,
  slowOperations,
  type ActivityTimelineQuery,
  type FailedActionsQuery,
  type SlowOperation,
  type SlowOperationsQuery,
  type TimelineBucket,
} from './reports.js';

/** Reading the trail, and its one sanctioned deletion; on the trail and on every adapter's middleware. */
export interface TrailReader {
  /** Filtered rows, newest first, one page at a time. */
  query(query?: AuditLogQuery): Promise<AuditLogPage>;
  /** error and permission_denied rows, newest first; `since` defaults to 24h. */
  failedActions(query?: FailedActionsQuery): Promise<AuditLogPage>;
  /** Per action type, slowest on average first; `minDurationMs` 1000 and `since` 7d by default. */
  slowOperations(query?: SlowOperationsQuery): Promise<SlowOperation[]>;
  /** Events, errors and denials per bucket (hour by default), oldest first; `since` defaults to 24h. */
  activityTimeline(query?: ActivityTimelineQuery): Promise<TimelineBucket[]>;
  /** Deletes rows older than `olderThan` in bounded batches; the only way rows leave the table. */
  prune(options: PruneOptions): Promise<PruneResult>;
  /** Recomputes the tamper-evidence chain and reports the first break (docs/integrity.md). */
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  /** Model changes (trackChanges), newest first, one page at a time: a request's, a record's history. */
  changes(query?: ChangeQuery): Promise<ChangePage>;
}

export function readerOf(store: () => Promise<Store>): TrailReader {
  const withStore =
    <A extends unknown[], R>(read: (opened: Store, ...args: A) => Promise<R>) =>
    async (...args: A) =>
      read(await store(), ...args);
  return {
    query: withStore(queryLog),
    failedActions: withStore(failedActions),
    slowOperations: withStore(slowOperations),
    activityTimeline: withStore(activityTimeline),
    prune: withStore(prune),
    verify: withStore(verifyTrail),
    changes: withStore(queryChanges),
  };
}

/** The same methods, forwarded to another reader (an adapter's middleware forwards to its trail). */
export function forwardReader(reader: TrailReader): TrailReader {
  return {
    query: (query) => reader.query(query),
    failedActions: (query) => reader.failedActions(query),
    slowOperations: (query) => reader.slowOperations(query),
    activityTimeline: (query) => reader.activityTimeline(query),
    prune: (options) => reader.prune(options),
    verify: (options) => reader.verify(options),
    changes: (query) => reader.changes(query),
  };
}
