import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsEndpoint, type MetricsEndpoint } from '../../src/metrics/endpoint.js';
import { ROUTE_LABEL_LIMIT } from '../../src/metrics/subscriber.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { memoryLogger } from '../support/memory-logger.js';

const database = useTestDatabase();
const SCRAPE = { method: 'GET', headers: {}, peer: '127.0.0.1', raw: undefined };

describe('the metrics published from telemetry', () => {
  let trail: AuditTrail;
  let endpoint: MetricsEndpoint;
  const logger = memoryLogger();
  const scrape = async () => parseExposition((await endpoint(SCRAPE)).body);

  beforeAll(async () => {
    trail = createAuditTrail({ database: database.url, logger });
    await trail.ready();
    endpoint = metricsEndpoint(trail);
  });
  afterAll(() => trail.close());

  it('T01 counts what the writer, the spill file and the count cache report', async () => {
    const { telemetry } = trail;
    telemetry.emit('batch_written', { size: 40, durationSeconds: 0.02 });
    telemetry.emit('batch_written', { size: 2, durationSeconds: 0.003 });
    telemetry.emit('write_retried', { error: new Error('connection refused') });
    telemetry.emit('dropped', { reason: 'queue_full', count: 5 });
    telemetry.emit('dropped', { reason: 'queue_full', count: 1 });
    telemetry.emit('events_spilled', { count: 12 });
    telemetry.emit('events_replayed', { count: 9 });
    for (const result of ['hit', 'hit', 'miss', 'error'] as const) telemetry.emit('count_cache', { result });
    telemetry.emit('db_query', { operation: 'update', durationSeconds: 0.3, slow: true, failed: true });

    const families = await scrape();
    expect(sampleValue(families, 'audit_events_written_total')).toBe(42);
    expect(sampleValue(families, 'audit_batch_size_count')).toBe(2);
    expect(sampleValue(families, 'audit_batch_size_bucket', { le: '5' })).toBe(1);
    expect(sampleValue(families, 'audit_write_duration_seconds_bucket', { le: '0.005' })).toBe(1);
    expect(sampleValue(families, 'audit_write_retries_total')).toBe(1);
    expect(sampleValue(families, 'audit_events_dropped_total', { reason: 'queue_full' })).toBe(6);
    expect(sampleValue(families, 'audit_events_spilled_total')).toBe(12);
    expect(sampleValue(families, 'audit_events_replayed_total')).toBe(9);
    expect(sampleValue(families, 'pagination_count_cache_total', { result: 'hit' })).toBe(2);
    expect(sampleValue(families, 'pagination_count_cache_total', { result: 'miss' })).toBe(1);
    expect(sampleValue(families, 'pagination_count_cache_total', { result: 'error' })).toBe(1);
    expect(sampleValue(families, 'db_slow_queries_total', { operation: 'update' })).toBe(1);
    expect(sampleValue(families, 'db_query_errors_total', { operation: 'update' })).toBe(1);
    expect(sampleValue(families, 'db_query_duration_seconds_bucket', { operation: 'update', le: '0.25' })).toBe(0);
    expect(sampleValue(families, 'db_query_duration_seconds_bucket', { operation: 'update', le: '0.5' })).toBe(1);
  });

  it(`T02 counts routes beyond ${ROUTE_LABEL_LIMIT} distinct ones as "other", and says so once`, async () => {
    const finish = (route: string) => trail.telemetry.emit('request_finished', { method: 'GET', route, status: 200, durationSeconds: 0.01 });
    for (let i = 0; i < ROUTE_LABEL_LIMIT + 50; i++) finish(`/tenants/${i}/orders`);
    finish('/tenants/0/orders');
    const families = await scrape();
    expect(families.get('http_requests_total')!.samples).toHaveLength(ROUTE_LABEL_LIMIT + 1);
    expect(sampleValue(families, 'http_requests_total', { method: 'GET', route: 'other', status_code: '200' })).toBe(50);
    expect(sampleValue(families, 'http_requests_total', { method: 'GET', route: '/tenants/0/orders', status_code: '200' })).toBe(2);
    expect(logger.lines.filter((line) => line.message.includes('route="other"'))).toHaveLength(1);
  });

  it('T03 stops listening when the trail closes', async () => {
    await trail.close();
    trail.telemetry.emit('events_spilled', { count: 100 });
    expect(sampleValue(await scrape(), 'audit_events_spilled_total')).toBe(12);
    expect(trail.telemetry.listenerCount('events_spilled')).toBe(0);
  });
});

describe('a metric that throws', () => {
  it('T04 is logged once and never reaches the code that emitted the event', async () => {
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: database.url, logger });
    await trail.ready();
    metricsEndpoint(trail);
    // A counter cannot go down: prom-client throws, and the emitter (the writer, on its own loop) must not see it.
    expect(() => trail.telemetry.emit('events_spilled', { count: -1 })).not.toThrow();
    expect(() => trail.telemetry.emit('events_spilled', { count: -1 })).not.toThrow();
    expect(logger.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      'metrics for telemetry event events_spilled failed and are incomplete: It is not possible to decrease a counter',
    ]);
    await trail.close();
  });
});
