import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { parseExposition, promtoolCheckMetrics, sampleValue, which } from '../support/exposition.js';
import { metricsRoute as expressMetrics } from '../../adapters/express.js';
import { metricsRoute as koaMetrics } from '../../adapters/koa.js';
import { PUBLISHED } from './published.js';
import { get, hammer, METRICS_HOSTS, type MetricsHost, type MetricsHostAdapter } from './metrics-hosts.js';

const database = useTestDatabase();
const promtool = which('promtool');
if (!promtool) console.log('promtool not found (Debian package `prometheus`): the promtool checks are skipped');

describe.each(METRICS_HOSTS)('metricsRoute: $name', (host) => {
  let trail: AuditTrail;
  let app: MetricsHost;

  beforeAll(async () => {
    trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20 });
    await trail.ready();
    app = await host.start(trail);
  });
  afterAll(async () => {
    await app.close();
    await trail.close();
  });

  async function scrape() {
    const reply = await get(`${app.url}/metrics`);
    expect(reply.status).toBe(200);
    return { ...reply, families: parseExposition(reply.body) };
  }

  it('M01 serves every metric, with HELP and TYPE, in a valid exposition', async () => {
    await get(`${app.url}/ok`);
    await trail.flush();
    const { type, body, families } = await scrape();
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const [metric, kind] of Object.entries(PUBLISHED)) {
      const family = families.get(metric);
      expect(family, metric).toBeDefined();
      expect(family!.type, metric).toBe(kind);
      expect(family!.help, metric).toMatch(/\w/);
    }
    if (promtool) expect(promtoolCheckMetrics(promtool, body)).toBe('');
  });

  it('M02 labels requests by route template, or unmatched, and never counts its own scrapes', async () => {
    await get(`${app.url}/ok`);
    await get(`${app.url}/authors/42`);
    await get(`${app.url}/no/such/page`);
    const { families } = await scrape();
    expect(sampleValue(families, 'http_requests_total', { method: 'GET', route: '/authors/:id', status_code: '200' })).toBe(1);
    expect(sampleValue(families, 'http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(sampleValue(families, 'http_request_duration_seconds_count', { method: 'GET', route: '/ok' })).toBe(2);
    expect(sampleValue(families, 'http_requests_in_progress', { method: 'GET' })).toBe(0);
    const routes = families.get('http_requests_total')!.samples.map((sample) => sample.labels.route);
    expect(routes).not.toContain('/metrics');
    expect(routes).not.toContain('/no/such/page');
  });

  it('M03 1,000 requests to /authors/<random id> make one series, not 1,000', async () => {
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    await hammer(ids.length, 20, (index) => `${app.url}/authors/${ids[index]}`);
    const { body, families } = await scrape();
    const series = (family: string) => families.get(family)!.samples.filter((sample) => sample.labels.route?.startsWith('/authors')).length;
    expect(series('http_requests_total')).toBe(1);
    expect(sampleValue(families, 'http_requests_total', { method: 'GET', route: '/authors/:id', status_code: '200' })).toBe(1_001);
    // One series per bucket, plus +Inf, _sum and _count: the histogram's shape, not the traffic's.
    expect(series('http_request_duration_seconds')).toBe(11 + 3);
    expect(ids.some((id) => body.includes(id))).toBe(false);
  });

  it('M04 publishes the audit pipeline and the database queries it made', async () => {
    await trail.flush();
    const { families } = await scrape();
    const recorded = sampleValue(families, 'audit_events_total', { outcome: 'success' })!;
    const notFound = sampleValue(families, 'audit_events_total', { outcome: 'error' })!;
    expect(recorded + notFound).toBe(1_004);
    expect(sampleValue(families, 'audit_events_written_total')).toBe(1_004);
    expect(sampleValue(families, 'audit_queue_depth')).toBe(0);
    expect(sampleValue(families, 'db_query_duration_seconds_count', { operation: 'insert' })).toBeGreaterThan(0);
    expect(sampleValue(families, 'audit_batch_size_count')).toBe(sampleValue(families, 'db_query_duration_seconds_count', { operation: 'insert' }));
  });
});

describe('metricsRoute guard', () => {
  let trail: AuditTrail;
  const apps: MetricsHost[] = [];
  beforeAll(async () => {
    trail = createAuditTrail({ database: database.url, logger: false });
    await trail.ready();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await trail.close();
  });

  it.each(METRICS_HOSTS)('G01 asks for basic-auth credentials and checks them ($name)', async (host) => {
    const app = await host.start(trail, { guard: { username: 'prometheus', password: 's3cret' } });
    apps.push(app);
    const anonymous = await get(`${app.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="metrics"/);
    expect(anonymous.body).not.toContain('http_requests_total');
    const wrong = await get(`${app.url}/metrics`, { authorization: `Basic ${Buffer.from('prometheus:guess').toString('base64')}` });
    expect(wrong.status).toBe(401);
    const right = await get(`${app.url}/metrics`, { authorization: `Basic ${Buffer.from('prometheus:s3cret').toString('base64')}` });
    expect(right.status).toBe(200);
    expect(right.body).toContain('# TYPE http_requests_total counter');
  });

  it.each(METRICS_HOSTS)('G02 asks a function guard, which sees the neutral request ($name)', async (host) => {
    const app = await host.start(trail, { guard: (request) => request.headers['x-scraper'] === 'yes' && request.peer !== undefined });
    apps.push(app);
    expect((await get(`${app.url}/metrics`)).status).toBe(403);
    expect((await get(`${app.url}/metrics`, { 'x-scraper': 'yes' })).status).toBe(200);
  });
});

describe('metricsRoute registries', () => {
  let trails: AuditTrail[] = [];
  const apps: MetricsHost[] = [];
  const [express5, koa3] = [METRICS_HOSTS[1]!, METRICS_HOSTS[3]!];
  const newTrail = async () => {
    const trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20 });
    trails.push(trail);
    await trail.ready();
    return trail;
  };
  const start = async (host: MetricsHostAdapter, ...args: Parameters<MetricsHostAdapter['start']>) => {
    const app = await host.start(...args);
    apps.push(app);
    return app;
  };
  const scrape = async (app: MetricsHost) => parseExposition((await get(`${app.url}/metrics`)).body);
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(trails.map((trail) => trail.close()));
    trails = [];
  });

  it('R01 gives two trails in one process a registry each, and they do not collide', async () => {
    const [first, second] = [await newTrail(), await newTrail()];
    const [one, two] = [await start(express5, first), await start(koa3, second)];
    await get(`${one.url}/ok`);
    await get(`${one.url}/ok`);
    await get(`${two.url}/ok`);
    expect(sampleValue(await scrape(one), 'http_requests_total', { method: 'GET', route: '/ok', status_code: '200' })).toBe(2);
    expect(sampleValue(await scrape(two), 'http_requests_total', { method: 'GET', route: '/ok', status_code: '200' })).toBe(1);
  });

  it("R02 shares the host's registry: its own metrics come out too, two trails add up, a second mount counts nothing twice", async () => {
    const registry = new Registry();
    const { Counter } = await import('prom-client');
    new Counter({ name: 'host_orders_total', help: 'Orders the host took.', registers: [registry] }).inc(7);
    const [first, second] = [await newTrail(), await newTrail()];
    const one = await start(express5, first, { registry });
    await start(koa3, first, { registry }); // mounted twice on one trail
    const two = await start(koa3, second, { registry });
    await get(`${one.url}/ok`);
    await get(`${two.url}/ok`);
    const families = await scrape(one);
    expect(sampleValue(families, 'host_orders_total')).toBe(7);
    expect(sampleValue(families, 'http_requests_total', { method: 'GET', route: '/ok', status_code: '200' })).toBe(2);
  });

  it('R03 sums the queue depth of every trail a registry publishes, read at each scrape', async () => {
    const registry = new Registry();
    const slow = (await Promise.all([0, 1].map(() => createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 600_000 })))).map(
      (trail) => (trails.push(trail), trail),
    );
    await Promise.all(slow.map((trail) => trail.ready()));
    const [one, two] = [await start(express5, slow[0]!, { registry }), await start(koa3, slow[1]!, { registry })];
    await get(`${one.url}/ok`);
    await get(`${two.url}/ok`);
    await get(`${two.url}/ok`);
    expect(sampleValue(await scrape(one), 'audit_queue_depth')).toBe(3);
    await slow[1]!.flush();
    expect(sampleValue(await scrape(one), 'audit_queue_depth')).toBe(1);
  });

  it('R04 publishes default process metrics on request, with a prefix, and a second mount does not throw', async () => {
    const trail = await newTrail();
    const app = await start(express5, trail, { defaultMetrics: { prefix: 'host_' } });
    await start(koa3, trail, { defaultMetrics: { prefix: 'host_' } });
    const families = await scrape(app);
    expect(families.get('host_process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.has('process_cpu_user_seconds_total')).toBe(false);
  });

  it('R05 refuses, at mount, a registry whose metric of the same name has other labels', async () => {
    const registry = new Registry();
    const { Counter } = await import('prom-client');
    new Counter({ name: 'http_requests_total', help: "The host's own.", labelNames: ['path'], registers: [registry] });
    await expect(start(koa3, await newTrail(), { registry })).rejects.toThrow(/already has a metric named http_requests_total .* registry of its own/);
  });

  it('R06 refuses what is not a trail, and options it cannot use', async () => {
    const trail = await newTrail();
    expect(() => expressMetrics({} as AuditTrail)).toThrow(/needs the middleware returned by auditTrail\(\)/);
    expect(() => koaMetrics(trail, { defaultMetrics: 'yes' as never })).toThrow(/defaultMetrics must be/);
    expect(() => expressMetrics(trail, { registry: {} as Registry })).toThrow(/registry must be a prom-client Registry/);
    expect(() => koaMetrics(trail, { path: 'metrics' })).toThrow(/path must start with "\/"/);
  });
});
