import http from 'node:http';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { rowOf, rowsByRequestId } from '../support/rows.js';
import { HOST_ADAPTERS, LEAKY_MESSAGE, NESTED_FAILURES, type HostApp } from './host-apps.js';

const database = useTestDatabase();

const KEYCLOAK_USER = {
  sub: '9f0c1e52-5c4e-4a55-9a8f-0d6a1b2c3d4e',
  preferred_username: 'acika',
  realm_access: { roles: ['offline_access', 'get-authors'] },
  resource_access: { 'authors-api': { roles: ['create-author', 'get-authors'] }, account: { roles: ['view-profile'] } },
};

describe.each(HOST_ADAPTERS)('audit middleware contract: $name', (adapter) => {
  let trail: AuditTrail;
  let sequelize: Sequelize;
  let app: HostApp;
  let trustingApp: HostApp;

  beforeAll(async () => {
    trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20 });
    await trail.ready();
    ({ sequelize } = await trail.store());
    app = await adapter.start(trail);
    trustingApp = await adapter.start(trail, { trustProxy: 'loopback' });
  });
  afterAll(async () => {
    await app.close();
    await trustingApp.close();
    await trail.close();
  });

  async function send(path: string, init: RequestInit & { target?: HostApp } = {}) {
    const requestId = randomUUID();
    const response = await fetch(`${(init.target ?? app).url}${path}`, {
      ...init,
      headers: { 'x-request-id': requestId, ...(init.headers as Record<string, string>) },
    });
    await response.arrayBuffer();
    await trail.flush();
    return { response, requestId, row: () => rowOf(sequelize, response.headers.get('x-request-id') ?? requestId) };
  }

  it('C01 records an anonymous 200 with every column', async () => {
    const { response, requestId, row } = await send('/ok?page=2&token=abc', { headers: { 'user-agent': 'contract-test/1.0' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const stored = await row();
    expect(stored).toMatchObject({
      user_id: 'anonymous',
      username: 'anonymous',
      user_roles: [],
      action_type: 'GET',
      resource: '/ok',
      outcome: 'success',
      ip_address: '127.0.0.1',
      user_agent: 'contract-test/1.0',
      request_id: requestId,
      response_status: 200,
      error_message: null,
    });
    expect(stored.request_data).toMatchObject({ query: { page: '2', token: '[REDACTED]' }, route: '/ok' });
    expect(stored.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(new Date(stored.timestamp).getTime() - Date.now())).toBeLessThan(10_000);
  });

  it('C02 understands Keycloak claims: sub, preferred_username, realm and client roles deduplicated', async () => {
    const { row } = await send('/ok', { headers: { 'x-test-user': JSON.stringify(KEYCLOAK_USER) } });
    expect(await row()).toMatchObject({
      user_id: KEYCLOAK_USER.sub,
      username: 'acika',
      user_roles: ['offline_access', 'get-authors', 'create-author', 'view-profile'],
    });
  });

  it('C03 records a 201 POST with its sanitized body and nested secrets redacted', async () => {
    const body = { name: 'Ada', login: { Password: 'x', apiKey: 'k', list: [[{ refresh_token: 't' }]] }, credentials: { user: 'u' }, client_secret: 's' };
    const { response, row } = await send('/items', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(201);
    const stored = await row();
    expect(stored).toMatchObject({ action_type: 'POST', outcome: 'success', response_status: 201 });
    expect((stored.request_data as { body: unknown }).body).toEqual({
      name: 'Ada',
      login: { Password: '[REDACTED]', apiKey: '[REDACTED]', list: [[{ refresh_token: '[REDACTED]' }]] },
      credentials: '[REDACTED]',
      client_secret: '[REDACTED]',
    });
  });

  it.each([
    [401, 'permission_denied'],
    [403, 'permission_denied'],
    [404, 'error'],
    [500, 'error'],
  ])('C04 maps status %i to outcome %s', async (status, outcome) => {
    const { row } = await send(`/status/${status}`);
    expect(await row()).toMatchObject({ response_status: status, outcome, error_message: null, request_data: { route: '/status/:code' } });
  });

  it('C05 records a thrown error with its message, and the host still answers 500', async () => {
    const { response, row } = await send('/boom');
    expect(response.status).toBe(500);
    expect(await row()).toMatchObject({ outcome: 'error', response_status: 500, error_message: 'kaboom' });
  });

  it('C27 echoes X-Request-ID on a 500, as on any other answer', async () => {
    const { response, requestId } = await send('/boom');
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe(requestId);
  });

  it('C06 records an unmatched path as a 404 error without a route', async () => {
    const { row } = await send('/no/such/path');
    const stored = await row();
    expect(stored).toMatchObject({ outcome: 'error', response_status: 404, resource: '/no/such/path' });
    expect((stored.request_data as { route?: string }).route).toBeUndefined();
  });

  it('C07 keeps the matched route template, mounted at the root and under a prefix', async () => {
    expect((await (await send('/authors/42')).row()).request_data).toMatchObject({ route: '/authors/:id' });
    expect((await (await send('/nested/7')).row()).request_data).toMatchObject({ route: '/nested/:id' });
  });

  it.each(NESTED_FAILURES)('C23 records the full route template of %s, failing under nested routers', async (path) => {
    const { response, row } = await send(path);
    expect(response.status).toBe(500);
    const stored = await row();
    expect(stored).toMatchObject({ outcome: 'error', response_status: 500, request_data: { route: path } });
    expect(stored.error_message).toEqual(expect.any(String));
  });

  it('C24 redacts secrets quoted in error_message and resource, unless redactText is false', async () => {
    const leaky = await send('/leaky');
    expect((await leaky.row()).error_message).toBe('GET https://app:[REDACTED]@api.example/x?access_token=[REDACTED] failed: Bearer [REDACTED] rejected');
    const path = '/files;token=T0K3N/report';
    // The value runs to a separator, and `/` is none: a token may hold one.
    expect((await (await send(path)).row()).resource).toBe('/files;token=[REDACTED]');
    const verbatim = await adapter.start(trail, { sanitize: { redactText: false } });
    try {
      expect((await (await send('/leaky', { target: verbatim })).row()).error_message).toBe(LEAKY_MESSAGE);
      expect((await (await send(path, { target: verbatim })).row()).resource).toBe(path);
    } finally {
      await verbatim.close();
    }
  });

  it('C08 records a request the client aborted as an error', async () => {
    const requestId = randomUUID();
    await new Promise<void>((resolve) => {
      const request = http.get(`${app.url}/slow`, { headers: { 'x-request-id': requestId } });
      request.on('error', () => resolve());
      setTimeout(() => request.destroy(), 150);
    });
    await expect.poll(async () => (await trail.flush(), rowsByRequestId(sequelize, requestId)), { timeout: 5_000 }).toHaveLength(1);
    expect(await rowOf(sequelize, requestId)).toMatchObject({ outcome: 'error', response_status: null, resource: '/slow' });
  });

  it('C09 ignores spoofed forwarding headers by default and records the socket peer', async () => {
    const { row } = await send('/ok', { headers: { 'x-forwarded-for': '6.6.6.6', forwarded: 'for=7.7.7.7' } });
    expect((await row()).ip_address).toBe('127.0.0.1');
  });

  it('C10 takes the client from X-Forwarded-For through trusted proxies', async () => {
    const { row } = await send('/ok', { target: trustingApp, headers: { 'x-forwarded-for': '203.0.113.7, 127.0.0.1' } });
    expect((await row()).ip_address).toBe('203.0.113.7');
  });

  it("C25 follows the framework's own trust-proxy setting when the mount sets none", async () => {
    const behindOneProxy = await adapter.start(trail, {}, 1);
    try {
      const { row } = await send('/ok', { target: behindOneProxy, headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' } });
      expect((await row()).ip_address).toBe('203.0.113.7');
      const again = await send('/ok', { target: behindOneProxy, headers: { 'x-forwarded-for': '198.51.100.10' } });
      expect((await again.row()).ip_address).toBe('198.51.100.10');
    } finally {
      await behindOneProxy.close();
    }
  });

  it('C11 prefers RFC 7239 Forwarded, with quoted bracketed IPv6 and a port', async () => {
    const { row } = await send('/ok', {
      target: trustingApp,
      headers: { 'x-forwarded-for': '203.0.113.7', forwarded: 'for="[2001:DB8:0:0::1]:4711";proto=https' },
    });
    expect((await row()).ip_address).toBe('2001:db8::1');
  });

  it('C12 records NULL when the first untrusted hop is not an IP address', async () => {
    const { row } = await send('/ok', { target: trustingApp, headers: { 'x-forwarded-for': "<script>alert('x')</script>" } });
    expect((await row()).ip_address).toBeNull();
  });

  it.each([
    ['too long', 'a'.repeat(101)],
    ['spaces and quotes', "abc def'; DROP TABLE user_actions;--"],
    ['unicode', 'ïd-ünïcode'],
  ])('C13 replaces a hostile X-Request-ID (%s) with a UUID v4 and echoes it', async (_label, hostile) => {
    const response = await fetch(`${app.url}/ok`, { headers: { 'x-request-id': hostile } });
    await response.arrayBuffer();
    const echoed = response.headers.get('x-request-id')!;
    expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await trail.flush();
    expect((await rowOf(sequelize, echoed)).request_id).toBe(echoed);
  });

  it('C14 keeps a valid incoming X-Request-ID', async () => {
    const response = await fetch(`${app.url}/ok`, { headers: { 'x-request-id': 'trace.42:abc-DEF_1' } });
    await response.arrayBuffer();
    expect(response.headers.get('x-request-id')).toBe('trace.42:abc-DEF_1');
  });

  it('C15 stores a 5 MB body cut to the size cap and marked truncated', async () => {
    const body = { items: Array.from({ length: 50_000 }, (_, i) => ({ i, text: 'x'.repeat(90) })) };
    const { response, row } = await send('/items', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(201);
    const stored = await row();
    expect(JSON.stringify(stored.request_data).length).toBeLessThan(70 * 1024);
    expect(stored.request_data).toMatchObject({ truncated: true });
  });

  it('C21 keeps the query and route of a request whose body is over the size cap, and cuts only the body', async () => {
    const body = { note: 'x'.repeat(70 * 1024) };
    const { row } = await send('/items?action=delete_everything&target=prod', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const stored = (await row()).request_data as { query: unknown; route: unknown; body: { note: string }; truncated: boolean };
    expect(stored).toMatchObject({ query: { action: 'delete_everything', target: 'prod' }, route: '/items', truncated: true });
    expect(stored.body.note.endsWith('…[truncated]')).toBe(true);
    expect(JSON.stringify(stored).length).toBeLessThan(65 * 1024);
  });

  /** Sends `requestLine` as is over a raw socket, as a client talking to a proxy would; resolves to the response head. */
  async function sendRaw(requestLine: string): Promise<{ head: string; row: () => ReturnType<typeof rowOf> }> {
    const requestId = randomUUID();
    const { port } = new URL(app.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.end(`${requestLine}\r\nHost: 127.0.0.1\r\nX-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n`);
    let response = '';
    for await (const chunk of socket) response += String(chunk);
    await trail.flush();
    return { head: response.split('\r\n')[0]!, row: () => rowOf(sequelize, requestId) };
  }

  it.each([
    ['DELETE http://x/authors/311 HTTP/1.1', 'DELETE', '/authors/311'],
    ['GET http://attacker.example/authors/7?token=abc HTTP/1.1', 'GET', '/authors/7'],
    ['GET https://user:secret@attacker.example HTTP/1.1', 'GET', '/'],
  ])('C22 stores the path only of an absolute-form request line: %s', async (requestLine, method, resource) => {
    const { head, row } = await sendRaw(requestLine);
    expect(head).toMatch(/^HTTP\/1\.1 \d{3}/);
    const stored = await row();
    expect(stored).toMatchObject({ action_type: method, resource });
    expect(JSON.stringify(stored)).not.toMatch(/attacker|secret|http:/);
  });

  it('C16 cuts a 5,000-character path to 500 characters', async () => {
    const { row } = await send(`/${'p'.repeat(5_000)}`);
    expect((await row()).resource).toHaveLength(500);
  });

  it('C17 stores a body with NUL bytes with those bytes removed', async () => {
    const { row } = await send('/items', {
      method: 'POST',
      body: JSON.stringify({ 'na\u0000me': 'bad\u0000value' }),
      headers: { 'content-type': 'application/json', 'user-agent': 'agent\u0000x'.replace('\u0000', '') },
    });
    expect((await row()).request_data).toMatchObject({ body: { name: 'badvalue' } });
  });

  it('C18 survives a circular object placed on the body by a host middleware', async () => {
    const { response, row } = await send('/circular', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect((await row()).request_data).toMatchObject({ body: { name: 'loop', password: '[REDACTED]', self: '[Circular]' } });
  });

  it('C19 does not record skipped paths such as /metrics', async () => {
    const { requestId } = await send('/metrics');
    expect(await rowsByRequestId(sequelize, requestId)).toEqual([]);
  });

  it('C26 hands the request id to the handlers (req.id, ctx.state.requestId), generated or sent', async () => {
    const sent = await send('/request-id');
    expect(await (await fetch(`${app.url}/request-id`, { headers: { 'x-request-id': sent.requestId } })).json()).toEqual({ requestId: sent.requestId });
    const generated = await fetch(`${app.url}/request-id`);
    const { requestId } = (await generated.json()) as { requestId: string };
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers.get('x-request-id')).toBe(requestId);
  });

  it('C20 leaves anonymous requests out when the host opts out', async () => {
    const optedOut = await adapter.start(trail, { recordAnonymous: false });
    try {
      const anonymous = await send('/ok', { target: optedOut });
      expect(await rowsByRequestId(sequelize, anonymous.requestId)).toEqual([]);
      const known = await send('/ok', { target: optedOut, headers: { 'x-test-user': JSON.stringify(KEYCLOAK_USER) } });
      expect((await known.row()).username).toBe('acika');
    } finally {
      await optedOut.close();
    }
  });
});
