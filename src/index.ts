export { createAuditTrail, type AuditTrail } from './trail.js';
export type { Store } from './store/store.js';
export { DEFAULTS, type AuditTrailOptions, type AuditTrailConfig, type PoolOptions, type OverflowPolicy, type WriteMode } from './config.js';
export { AuditTrailError, type AuditTrailErrorCode } from './errors.js';
export type { Logger } from './logger.js';
export type { AuditEvent } from './capture/event.js';
export type { ChangeEvent, ChangeOperation } from './changes/change-event.js';
export type { TrackChangesOptions } from './changes/track-changes.js';
export type { ChangeQuery, ChangeEntry, ChangePage } from './changes/query-changes.js';
export type { ChangesHandle } from './changes/handle.js';
export type { Actor } from './context.js';
export { DEFAULT_SENSITIVE_KEYS, DEFAULT_SENSITIVE_QUERY_KEYS } from './capture/sensitive-keys.js';
export type { Outcome } from './capture/outcome.js';
export type { UserActionRow, AuthorRow } from './store/models.js';
export type { MetricsRouteOptions } from './metrics/endpoint.js';
export type { MetricsGuard, MetricsRequest, BasicAuthCredentials } from './metrics/guard.js';
export type { TrailReader } from './query/reader.js';
export type { AuditLogEntry } from './query/entry.js';
export type { AuditLogFilters } from './query/filters.js';
export type { AuditLogQuery, AuditLogPage } from './query/query.js';
export type { TimeArgument } from './query/time.js';
export type { Bucket } from './query/buckets.js';
export type { PruneOptions, PruneResult } from './query/prune.js';
export type { RetentionOptions } from './query/retention.js';
export type { PartitioningOptions } from './partitions/options.js';
export type { IntegrityOptions } from './integrity/options.js';
export type { Checkpoint } from './integrity/checkpoint.js';
export type { VerifyOptions, VerifyReport, Finding, FindingKind } from './integrity/verify.js';
export type {
  FailedActionsQuery,
  SlowOperationsQuery,
  SlowOperation,
  ActivityTimelineQuery,
  TimelineBucket,
} from './query/reports.js';
