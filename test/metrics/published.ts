/** Every metric the issue names, with its type: the names dashboards and alerts depend on. */
export const PUBLISHED = {
  db_query_duration_seconds: 'histogram',
  db_slow_queries_total: 'counter',
  db_query_errors_total: 'counter',
  http_requests_total: 'counter',
  http_request_duration_seconds: 'histogram',
  http_requests_in_progress: 'gauge',
  audit_events_total: 'counter',
  audit_events_written_total: 'counter',
  audit_events_dropped_total: 'counter',
  audit_queue_depth: 'gauge',
  audit_batch_size: 'histogram',
  audit_write_duration_seconds: 'histogram',
  audit_write_retries_total: 'counter',
  audit_events_spilled_total: 'counter',
  audit_events_replayed_total: 'counter',
  pagination_count_cache_total: 'counter',
} as const;
