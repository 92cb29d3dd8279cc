import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import type { AuditLogRequest } from '../../src/query/router-options.js';
import type { AuthorsHost } from '../authors/host-apps.js';
import { AUDIT_LOG_HOSTS, AUDIT_LOG_MOUNT, AUDITOR, OUTSIDER } from '../query/audit-log-hosts.js';
import { useTestDatabase } from '../support/database.js';
import { rowOf } from '../support/rows.js';
import { insertRows, seedRows } from '../support/seed-actions.js';

const database = useTestDatabase();
const seededAt = Date.now();
const TO = `to=${encodeURIComponent(new Date(seededAt).toISOString())}`;
let trail: AuditTrail;

beforeAll(async () => {
  trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20, spillDir: mkdtempSync(path.join(tmpdir(), 'audit-viewer-routes-')) });
  await insertRows(trail, seedRows(seededAt));
});
afterAll(() => trail.close());

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'; // what Chromium sends for a page

describe.each(AUDIT_LOG_HOSTS)('viewer routes: $name', (adapter) => {
  let host: AuthorsHost;
  let plain: AuthorsHost;
  const seen: string[] = [];
  beforeAll(async () => {
    const readers = (request: AuditLogRequest) => {
      seen.push(request.route.name);
      return request.roles.includes('audit-reader');
    };
    host = await adapter.start(trail, readers, true);
    plain = await adapter.start(trail);
  });
  afterAll(async () => {
    await host.close();
    await plain.close();
  });

  function get(path: string, { accept, user = AUDITOR, on = host }: { accept?: string; user?: object; on?: AuthorsHost } = {}) {
    return fetch(`${on.url}${AUDIT_LOG_MOUNT}${path}`, { headers: { 'x-test-user': JSON.stringify(user), 'x-request-id': randomUUID(), ...(accept ? { accept } : {}) } });
  }

  it('R01 a browser asking for HTML gets the page, with a strict policy; anything else on the same path gets JSON', async () => {
    const page = await get('/?outcome=error&from=24h', { accept: HTML });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = page.headers.get('content-security-policy')!;
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain(`<script type="module" src="${AUDIT_LOG_MOUNT}/viewer/app.js"></script>`);
    expect(html).not.toMatch(/<script>|<style|style=/);
    for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0, application/json']) {
      const api = await get(`/?${TO}&limit=2`, accept === undefined ? {} : { accept });
      expect(api.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(((await api.json()) as { data: unknown[] }).data).toHaveLength(2);
    }
  });

  it('R02 serves the script behind authorize, and authorize sees each route by name', async () => {
    const script = await get('/viewer/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await get('/viewer/app.js', { user: OUTSIDER })).status).toBe(403);
    await get('/export?format=jsonl');
    expect(seen).toEqual(expect.arrayContaining(['viewer.page', 'viewer.script', 'entries.list', 'entries.export']));
  });

  it('R03 without viewer: true there is no page and no script', async () => {
    const response = await get('/', { accept: HTML, on: plain });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await get('/viewer/app.js', { on: plain })).headers.get('content-type')).not.toContain('javascript');
  });

  it('R04 a denied page load answers 403 and is recorded as permission_denied, like a denied API call', async () => {
    const response = await get('/', { accept: HTML, user: OUTSIDER });
    expect(response.status).toBe(403);
    await trail.flush();
    const { sequelize } = await trail.store();
    expect(await rowOf(sequelize, response.headers.get('x-request-id')!)).toMatchObject({ outcome: 'permission_denied', response_status: 403, resource: `${AUDIT_LOG_MOUNT}/` });
  });

  it('R05 exports the current filter as CSV and JSONL, the rows trail.query gives, as attachments', async () => {
    const filter = `${TO}&username=bora&outcome=error,permission_denied`;
    const wanted = (await trail.query({ to: new Date(seededAt), username: 'bora', outcome: ['error', 'permission_denied'], limit: 1000 })).data;
    expect(wanted.length).toBeGreaterThan(5);
    const jsonl = await get(`/export?${filter}&format=jsonl`);
    expect(jsonl.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(jsonl.headers.get('content-disposition')).toBe('attachment; filename="audit-log.jsonl"');
    const lines = (await jsonl.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(JSON.parse(JSON.stringify(wanted)));
    const csv = await get(`/export?${filter}`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows[0]).toBe('id,timestamp,userId,username,userRoles,actionType,resource,outcome,responseStatus,durationMs,ipAddress,userAgent,requestId,errorMessage,requestData');
    expect(rows.slice(1).map((row) => Number(row.split(',')[0]))).toEqual(wanted.map((entry) => entry.id));
  });

  it('R06 a bad export is refused before the first byte: 400 for an unknown format or filter', async () => {
    for (const query of ['?format=xlsx', '?outcome=maybe', '?limit=5']) {
      const response = await get(`/export${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_query' } });
    }
    expect((await get('/export', { user: OUTSIDER })).status).toBe(403);
  });
});
