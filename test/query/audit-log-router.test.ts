import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogRouter as expressAuditLog } from '../../adapters/express.js';
import { auditLogRouter as koaAuditLog } from '../../adapters/koa.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import type { AuditLogRequest } from '../../src/query/router-options.js';
import type { AuthorsHost } from '../authors/host-apps.js';
import { useTestDatabase } from '../support/database.js';
import { rowOf } from '../support/rows.js';
import { insertRows, newestFirst, seedRows } from '../support/seed-actions.js';
import { AUDIT_LOG_HOSTS, AUDIT_LOG_MOUNT, AUDITOR, OUTSIDER } from './audit-log-hosts.js';

const database = useTestDatabase();
const seededAt = Date.now();
const rows = seedRows(seededAt);
/** Only the seeded rows: the requests these tests make are audited too, and land after this. */
const TO = `to=${encodeURIComponent(new Date(seededAt).toISOString())}`;
let trail: AuditTrail;

beforeAll(async () => {
  trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20 });
  await insertRows(trail, rows);
});
afterAll(() => trail.close());

/** What the API answers, as JSON, for the same question asked of the trail. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe.each(AUDIT_LOG_HOSTS)('audit-log router: $name', (adapter) => {
  let host: AuthorsHost;
  beforeAll(async () => {
    host = await adapter.start(trail);
  });
  afterAll(() => host.close());

  async function get(path: string, user: object | null = AUDITOR) {
    const requestId = randomUUID();
    const headers: Record<string, string> = { 'x-request-id': requestId, ...(user ? { 'x-test-user': JSON.stringify(user) } : {}) };
    const response = await fetch(`${host.url}${AUDIT_LOG_MOUNT}${path}`, { headers });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads any field of the JSON it got
    return { status: response.status, body: (await response.json()) as any, requestId };
  }

  it('A01 GET / lists entries newest first, in camelCase, with the filters of trail.query', async () => {
    const { status, body } = await get(`/?${TO}&username=bora&outcome=error&outcome=permission_denied&resource=/authors/*&from=10d`);
    expect(status).toBe(200);
    const wanted = newestFirst(rows.filter((r) => r.username === 'bora' && r.outcome !== 'success' && r.resource.startsWith('/authors/')));
    expect(body.data.map((e: { id: number }) => e.id)).toEqual(wanted.map((r) => r.id));
    expect(body.data[0]).toEqual(asJson((await trail.query({ requestId: wanted[0]!.request_id! })).data[0]));
    expect(body.nextCursor).toBeNull();
  });

  it('A02 pages through everything with nextCursor', async () => {
    const seen: number[] = [];
    let path = `/?${TO}&limit=25`;
    for (;;) {
      const { body } = await get(path);
      seen.push(...body.data.map((e: { id: number }) => e.id));
      if (!body.nextCursor) break;
      path = `/?${TO}&limit=25&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(newestFirst(rows).map((r) => r.id));
  });

  it('A03 GET /:id answers the entry, 404 when missing, 400 for a non-id', async () => {
    expect(await get('/5')).toMatchObject({ status: 200, body: asJson((await trail.query({ requestId: 'req-4' })).data[0]) });
    expect(await get('/999999')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await get('/abc')).toMatchObject({ status: 400, body: { error: { code: 'invalid_id' } } });
  });

  it('A04 serves the three reports as trail methods give them', async () => {
    expect((await get('/reports/failed?username=cvija&since=72h')).body).toEqual(asJson(await trail.failedActions({ username: 'cvija', since: '72h' })));
    expect((await get('/reports/slow?since=10d&minDurationMs=2000')).body).toEqual({ data: await trail.slowOperations({ since: '10d', minDurationMs: 2000 }) });
    const timeline = await get('/reports/timeline?userId=u-1&since=10d&bucket=day');
    expect(timeline.body).toEqual({ data: asJson(await trail.activityTimeline({ userId: 'u-1', since: '10d', bucket: 'day' })) });
    expect(timeline.body.data.length).toBeGreaterThan(5);
  });

  it('A05 refuses readers without the right with 403, and the refusal is itself audited', async () => {
    for (const user of [OUTSIDER, null]) {
      const { status, body, requestId } = await get('/', user);
      expect(status).toBe(403);
      expect(body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      await trail.flush();
      const { sequelize } = await trail.store();
      expect(await rowOf(sequelize, requestId)).toMatchObject({ outcome: 'permission_denied', response_status: 403, resource: `${AUDIT_LOG_MOUNT}/` });
    }
    expect((await get('/1', OUTSIDER)).status).toBe(403);
    expect((await get('/reports/slow', OUTSIDER)).status).toBe(403);
  });

  it('A06 answers bad parameters with 400 invalid_query', async () => {
    for (const query of ['?limit=5000', '?cursor=forged', '?from=yesterday', '?outcome=maybe', '?perPage=5', '?statusCode=abc']) {
      expect(await get(`/${query}`), query).toMatchObject({ status: 400, body: { error: { code: 'invalid_query' } } });
    }
    expect((await get('/reports/timeline?bucket=fortnight')).status).toBe(400);
  });

  it('A06b answers dates outside years 1 to 9999 with 400 invalid_query, not 500', async () => {
    const yearZero = Buffer.from(JSON.stringify({ t: '0000-06-01T00:00:00.000Z', i: 5 })).toString('base64url');
    const queries = [
      '/?from=0000-01-01',
      `/?cursor=${yearZero}`,
      '/?from=99999999999d',
      '/?to=9999999999d',
      '/reports/failed?since=99999999999d',
      '/reports/slow?since=0000-01-01',
    ];
    for (const query of queries) {
      expect(await get(query), query).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_query', message: expect.stringMatching(/between 0001-01-01 and 9999-12-31|cursor/) } },
      });
    }
  });
});

describe.each(AUDIT_LOG_HOSTS)('authorize on the matched route: $name', (adapter) => {
  const seen: AuditLogRequest['route'][] = [];
  let host: AuthorsHost;
  beforeAll(async () => {
    // A path-based rule, written against the route the router matched.
    host = await adapter.start(trail, ({ route }) => (seen.push(route), route.name !== 'reports.failed'));
  });
  afterAll(() => host.close());
  const status = async (path: string) => (await fetch(`${host.url}${path}`)).status;

  it('A08 a rule denying reports.failed holds against trailing slashes, case and percent-encoding', async () => {
    const spellings = [
      '/audit-log/reports/failed',
      '/audit-log/reports/failed/',
      '/AUDIT-LOG/reports/failed',
      '/Audit-Log/reports/failed/?limit=1',
      '/audit-log/REPORTS/failed',
      '/audit-log/reports/%66ailed',
      '/audit-log/reports/failed%2F',
      '/audit-log//reports/failed',
    ];
    for (const path of spellings) expect([403, 404], path).toContain(await status(path));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((route) => route.name === 'reports.failed' && route.template === '/reports/failed')).toBe(true);
    seen.length = 0;
    expect(await status('/audit-log/reports/slow/')).toBe(200);
    expect(await status('/audit-log/%31/')).toBe(200);
    expect(seen).toEqual([
      { name: 'reports.slow', template: '/reports/slow', params: {} },
      { name: 'entries.get', template: '/:id', params: { id: '1' } },
    ]);
  });
});

describe('mounting the audit-log router', () => {
  it('A07 refuses to mount without an authorize function, on both frameworks', () => {
    for (const mount of [expressAuditLog, koaAuditLog]) {
      expect(() => mount(trail, {} as never)).toThrow(/auditLogRouter needs \{ authorize \}/);
      expect(() => mount(trail)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
  });
});
