import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AuditTrailError } from '../errors.js';
import type { PromClientModule } from './prom-client.js';

/** From the reference's query monitor. */
const DB_BUCKETS = Object.freeze([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
const HTTP_BUCKETS = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
const BATCH_SIZE_BUCKETS = Object.freeze([1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]);
const WRITE_BUCKETS = Object.freeze([...DB_BUCKETS, 5, 10]);

export type AuditMetrics = ReturnType<typeof defineMetrics>;

/**
 * Every metric the package publishes, created in `registry` or reused from it: a second mount, a second
 * trail or a second copy of the package then shares the series instead of throwing "already registered".
 * `queueDepth` is read at each scrape.
 */
export function defineMetrics(client: PromClientModule, registry: Registry, queueDepth: () => number) {
  const { counter, gauge, histogram } = definer(client, registry);
  return {
    dbQueryDuration: histogram('db_query_duration_seconds', "Duration of database queries on the audit trail's Sequelize, by operation.", ['operation'], DB_BUCKETS),
    dbSlowQueries: counter('db_slow_queries_total', 'Database queries slower than slowQueryMs, by operation.', ['operation']),
    dbQueryErrors: counter('db_query_errors_total', 'Database queries that failed, by operation.', ['operation']),
    httpRequests: counter('http_requests_total', 'Audited HTTP requests, by method, route template and status code.', ['method', 'route', 'status_code']),
    httpDuration: histogram('http_request_duration_seconds', 'Duration of audited HTTP requests, by method and route template.', ['method', 'route'], HTTP_BUCKETS),
    httpInProgress: gauge('http_requests_in_progress', 'Audited HTTP requests currently being served, by method.', ['method']),
    auditEvents: counter('audit_events_total', 'Audit events recorded, by outcome.', ['outcome']),
    auditWritten: counter('audit_events_written_total', 'Audit events stored in the database.', []),
    auditDropped: counter('audit_events_dropped_total', 'Audit events that will never be stored, by reason.', ['reason']),
    auditQueueDepth: gauge('audit_queue_depth', 'Audit events recorded but not yet stored.', [], function collect(this: Gauge) {
      this.set(queueDepth());
    }),
    auditBatchSize: histogram('audit_batch_size', 'Audit events per database write.', [], BATCH_SIZE_BUCKETS),
    auditWriteDuration: histogram('audit_write_duration_seconds', 'Duration of audit batch writes.', [], WRITE_BUCKETS),
    auditWriteRetries: counter('audit_write_retries_total', 'Audit batch writes retried after a failure.', []),
    auditSpilled: counter('audit_events_spilled_total', 'Audit events written to the spill file.', []),
    auditReplayed: counter('audit_events_replayed_total', 'Audit events replayed from the spill file into the database.', []),
    wsMessages: counter('ws_messages_total', 'Audited inbound WebSocket messages, by action.', ['action']),
    wsRows: counter('ws_audit_rows_total', 'WebSocket audit rows recorded (messages, connects, disconnects, refusals), by action and outcome.', ['action', 'outcome']),
    wsReplyDuration: histogram('ws_reply_duration_seconds', 'Time from an inbound WebSocket message to the reply that answered it, by action.', ['action'], HTTP_BUCKETS),
    wsConnections: gauge('ws_connections_open', 'Audited WebSocket connections currently open.', []),
    partitionStrays: gauge(
      'audit_partition_default_rows',
      "Rows a partitioned table's default partition held at the last retention round, before they were moved into partitions of their own.",
      ['table'],
    ),
    countCache: counter('pagination_count_cache_total', 'Pagination count cache lookups, by result.', ['result']),
  };
}

function definer(client: PromClientModule, registry: Registry) {
  const registers = [registry];
  return {
    counter: <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      reuse(registry, name, client.Counter, labelNames) ?? new client.Counter({ name, help, labelNames, registers }),
    gauge: <L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (this: Gauge) => void): Gauge<L> =>
      reuse(registry, name, client.Gauge, labelNames) ?? new client.Gauge({ name, help, labelNames, registers, ...(collect && { collect }) }),
    histogram: <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> =>
      reuse(registry, name, client.Histogram, labelNames) ?? new client.Histogram({ name, help, labelNames, buckets: [...buckets], registers }),
  };
}

/** The registry's metric of that name if it is ours to share; a clash with a host metric fails the mount, not a request. */
function reuse<M>(registry: Registry, name: string, kind: abstract new (...args: never[]) => M, labelNames: readonly string[]): M | undefined {
  const found = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  const foundLabels = (found as { labelNames?: readonly string[] }).labelNames ?? [];
  const sameLabels = foundLabels.length === labelNames.length && labelNames.every((label) => foundLabels.includes(label));
  if (found instanceof kind && sameLabels) return found;
  throw new AuditTrailError(
    'invalid_option',
    `the registry already has a metric named ${name} of another type or with other labels than [${labelNames.join(', ')}]; ` +
      'give metricsRoute a registry of its own, or rename that metric.',
  );
}
