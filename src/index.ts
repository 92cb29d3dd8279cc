export { createAuditTrail, type AuditTrail, type Store } from './trail.js';
export { DEFAULTS, type AuditTrailOptions, type AuditTrailConfig, type PoolOptions, type OverflowPolicy, type WriteMode } from './config.js';
export { AuditTrailError, type AuditTrailErrorCode } from './errors.js';
export type { Logger } from './logger.js';
export type { AuditEvent } from './capture/event.js';
export type { Outcome } from './capture/outcome.js';
export type { UserActionRow, AuthorRow } from './store/models.js';
export type { MetricsRouteOptions } from './metrics/endpoint.js';
export type { MetricsGuard, MetricsRequest, BasicAuthCredentials } from './metrics/guard.js';
