import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { awaitRows, connect, connectionRows, refusedWith } from '../support/ws-client.js';
import { ACTIONS, HOST_FAILURE, WEBSOCKET_HOSTS, WEBSOCKET_MODES, WS_PATH, type WebSocketHost } from './websocket-hosts.js';

const database = useTestDatabase();

const KEYCLOAK_USER = {
  sub: '9f0c1e52-5c4e-4a55-9a8f-0d6a1b2c3d4e',
  preferred_username: 'acika',
  realm_access: { roles: ['get-authors'] },
  resource_access: { 'authors-api': { roles: ['create-author', 'get-authors'] } },
};
const AS_KEYCLOAK_USER = { 'x-test-user': JSON.stringify(KEYCLOAK_USER) };
const REPLY_TIMEOUT_MS = 600;

/** A binary frame starting with byte 1 is one the host's decoder understands. */
const decode = (buffer: Buffer) => (buffer[0] === 1 ? { type: 'BINARY_PING', size: buffer.length } : undefined);

const cases = WEBSOCKET_HOSTS.flatMap((adapter) => WEBSOCKET_MODES.map((mode) => ({ name: `${adapter.name}, ${mode}`, adapter, mode })));

describe.each(cases)('WebSocket audit contract: $name', ({ adapter, mode }) => {
  let trail: AuditTrail;
  let sequelize: Sequelize;
  let host: WebSocketHost;
  let trustingHost: WebSocketHost;

  beforeAll(async () => {
    trail = createAuditTrail({
      database: database.url,
      logger: process.env.WS_DEBUG ? console : false,
      flushIntervalMs: 20,
      spillDir: mkdtempSync(path.join(tmpdir(), 'ws-contract-')),
    });
    await trail.ready();
    ({ sequelize } = await trail.store());
    host = await adapter.start(trail, mode, { actions: ACTIONS, replyTimeoutMs: REPLY_TIMEOUT_MS, decode });
    trustingHost = await adapter.start(trail, mode, { trustProxy: 'loopback' });
  });
  afterAll(async () => {
    await host.close();
    await trustingHost.close();
    await trail.close();
  });

  const rowsOf = (connectionId: string, count: number) => awaitRows(trail, () => connectionRows(sequelize, connectionId), count);

  it('WS01 records the reference request and its reply, between WS:CONNECT and WS:DISCONNECT', async () => {
    const client = await connect(host.url, { ...AS_KEYCLOAK_USER, 'user-agent': 'ws-contract/1.0' });
    const reqId = randomUUID();
    client.send({ pkg_id: 1, req_id: reqId, data: { page: 2 } });
    expect(await client.next()).toMatchObject({ req_id: reqId, status_code: 0 });
    client.send({ pkg_id: 42, req_id: randomUUID(), data: {} }); // not in the actions map: named by its number
    expect(await client.next()).toMatchObject({ status_code: 1 });
    await client.close();
    const [connected, message, unnamed, disconnected] = await rowsOf(client.connectionId, 4);
    const common = {
      user_id: KEYCLOAK_USER.sub,
      username: 'acika',
      user_roles: ['get-authors', 'create-author'],
      ip_address: '127.0.0.1',
      user_agent: 'ws-contract/1.0',
    };
    expect(connected).toMatchObject({
      ...common,
      action_type: 'WS:CONNECT',
      resource: 'WebSocket:CONNECT',
      response_status: 101,
      outcome: 'success',
      request_id: client.connectionId,
    });
    expect(connected!.request_data).toEqual({ path: WS_PATH, connection_id: client.connectionId });
    expect(message).toMatchObject({
      ...common,
      action_type: 'WS:GET_AUTHORS',
      resource: 'WebSocket:GET_AUTHORS',
      request_id: reqId,
      response_status: 0,
      outcome: 'success',
      error_message: null,
    });
    expect(message!.request_data).toEqual({ data: { page: 2 }, path: WS_PATH, connection_id: client.connectionId });
    expect(message!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(unnamed).toMatchObject({ action_type: 'WS:42', resource: 'WebSocket:42', response_status: 1, outcome: 'error' });
    expect(disconnected).toMatchObject({
      ...common,
      action_type: 'WS:DISCONNECT',
      response_status: 1000,
      outcome: 'success',
      error_message: null,
      request_id: client.connectionId,
    });
  });

  it('WS02 understands JSON-RPC 2.0: a result, an error code, and a notification', async () => {
    const client = await connect(host.url);
    client.send({ jsonrpc: '2.0', id: 'rpc-1', method: 'sum', params: [1, 2] });
    expect(await client.next()).toMatchObject({ id: 'rpc-1', result: 3 });
    client.send({ jsonrpc: '2.0', id: 7, method: 'missing' });
    expect(await client.next()).toMatchObject({ id: 7, error: { code: -32601 } });
    client.send({ jsonrpc: '2.0', method: 'notify', params: { seen: true } });
    await client.close();
    const rows = await rowsOf(client.connectionId, 5);
    expect(rows[1]).toMatchObject({ action_type: 'WS:sum', request_id: 'rpc-1', response_status: null, outcome: 'success' });
    expect(rows[1]!.request_data).toMatchObject({ data: { jsonrpc: '2.0', id: 'rpc-1', method: 'sum', params: [1, 2] } });
    expect(rows[2]).toMatchObject({ action_type: 'WS:missing', request_id: '7', response_status: -32601, outcome: 'error' });
    expect(rows[3]).toMatchObject({ action_type: 'WS:notify', response_status: null, outcome: 'success' });
    expect(rows[3]!.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('WS03 completes a fire-and-forget message when the listeners return, named by type, action or nothing', async () => {
    const client = await connect(host.url);
    client.send({ type: 'chat', text: 'hello' });
    client.send({ action: 'typing' });
    client.send({ text: 'no name' });
    client.send([1, 2, 3]);
    await client.close();
    const rows = await rowsOf(client.connectionId, 6);
    expect(rows.slice(1, 5).map((row) => [row.action_type, row.resource, row.outcome, row.response_status])).toEqual([
      ['WS:chat', 'WebSocket:chat', 'success', null],
      ['WS:typing', 'WebSocket:typing', 'success', null],
      ['WS:MESSAGE', 'WebSocket:MESSAGE', 'success', null],
      ['WS:MESSAGE', 'WebSocket:MESSAGE', 'success', null],
    ]);
    expect(rows[1]!.request_data).toMatchObject({ data: { type: 'chat', text: 'hello' } });
    expect(rows[4]!.request_data).toMatchObject({ data: [1, 2, 3] });
  });

  it('WS04 records a binary frame by its size, or as the decode option reads it', async () => {
    const client = await connect(host.url);
    client.socket.send(Buffer.from([0, 1, 2, 3, 4]), { binary: true });
    client.socket.send(Buffer.from([1, 9, 9]), { binary: true });
    await client.close();
    const rows = await rowsOf(client.connectionId, 4);
    expect(rows[1]).toMatchObject({ action_type: 'WS:MESSAGE', outcome: 'success' });
    expect(rows[1]!.request_data).toMatchObject({ data: { binary: true, bytes: 5 } });
    expect(rows[2]).toMatchObject({ action_type: 'WS:BINARY_PING', outcome: 'success' });
    expect(rows[2]!.request_data).toMatchObject({ data: { type: 'BINARY_PING', size: 3 } });
  });

  it('WS05 records a frame that is not JSON as WS:INVALID_REQUEST with the parse error', async () => {
    const client = await connect(host.url);
    client.socket.send('{"pkg_id": 1, oops');
    await client.close();
    const rows = await rowsOf(client.connectionId, 3);
    expect(rows[1]).toMatchObject({ action_type: 'WS:INVALID_REQUEST', resource: 'WebSocket:INVALID_REQUEST', outcome: 'error', response_status: null });
    expect(rows[1]!.error_message).toMatch(/JSON/);
    expect(rows[1]!.request_data).toMatchObject({ data: { bytes: 18 } });
  });

  it('WS06 records the error of a listener that throws, and leaves the throw to the host', async () => {
    const client = await connect(host.url);
    client.send({ type: 'THROW', data: {} });
    const rows = await awaitRows(trail, async () => (await connectionRows(sequelize, client.connectionId)).filter((row) => row.action_type === 'WS:THROW'), 1);
    expect(rows[0]).toMatchObject({ outcome: 'error', error_message: HOST_FAILURE, response_status: null });
    client.socket.terminate();
  });

  it('WS07 records status_code 3 as permission_denied and 2 as error', async () => {
    const client = await connect(host.url);
    client.send({ pkg_id: 7, req_id: 'denied-1', data: { id: 5 } });
    expect(await client.next()).toMatchObject({ status_code: 3 });
    client.send({ pkg_id: 4, req_id: 'invalid-1', data: {} });
    expect(await client.next()).toMatchObject({ status_code: 2 });
    await client.close();
    const rows = await rowsOf(client.connectionId, 4);
    expect(rows[1]).toMatchObject({ action_type: 'WS:DELETE_AUTHOR', request_id: 'denied-1', response_status: 3, outcome: 'permission_denied' });
    expect(rows[2]).toMatchObject({ action_type: 'WS:4', request_id: 'invalid-1', response_status: 2, outcome: 'error' });
  });

  it('WS08 writes a message whose reply never comes after replyTimeoutMs, and times a late reply', async () => {
    const client = await connect(host.url);
    client.send({ pkg_id: 8, req_id: 'never-1', data: {} });
    client.send({ pkg_id: 9, req_id: 'slow-1', data: {} });
    expect(await client.next()).toMatchObject({ req_id: 'slow-1' });
    const rows = await awaitRows(trail, async () => (await connectionRows(sequelize, client.connectionId)).filter((row) => row.action_type !== 'WS:CONNECT'), 2);
    const slow = rows.find((row) => row.action_type === 'WS:SLOW');
    const unanswered = rows.find((row) => row.action_type === 'WS:NEVER_ANSWERED');
    expect(slow).toMatchObject({ action_type: 'WS:SLOW', outcome: 'success', response_status: 0 });
    expect(slow!.duration_ms).toBeGreaterThanOrEqual(90);
    expect(unanswered).toMatchObject({ action_type: 'WS:NEVER_ANSWERED', outcome: 'error', response_status: null, error_message: 'no reply within replyTimeoutMs' });
    expect(unanswered!.duration_ms).toBeGreaterThanOrEqual(REPLY_TIMEOUT_MS - 1);
    await client.close();
  });

  it('WS09 writes every pending message when the client terminates, then an abnormal WS:DISCONNECT', async () => {
    const client = await connect(host.url);
    for (let i = 0; i < 3; i++) client.send({ pkg_id: 8, req_id: `pending-${i}`, data: { i } });
    client.send({ pkg_id: 1, req_id: 'answered', data: {} });
    await client.next();
    client.socket.terminate();
    const rows = await rowsOf(client.connectionId, 6);
    const pending = rows.filter((row) => row.action_type === 'WS:NEVER_ANSWERED');
    expect(pending.map((row) => row.request_id).sort()).toEqual(['pending-0', 'pending-1', 'pending-2']);
    for (const row of pending) expect(row).toMatchObject({ outcome: 'error', response_status: null, error_message: 'connection closed before the reply' });
    const disconnected = rows.find((row) => row.action_type === 'WS:DISCONNECT');
    expect(disconnected).toMatchObject({ response_status: 1006, outcome: 'error', error_message: 'closed with code 1006' });
    // Last in time. Rows of the same millisecond may be stored in either order: concurrent batches number them.
    for (const row of rows) expect(new Date(row.timestamp).getTime()).toBeLessThanOrEqual(new Date(disconnected!.timestamp).getTime());
  });

  it.runIf(mode === 'noServer')('WS10 records a refused upgrade: 401 and 403 as permission_denied, others as error', async () => {
    for (const [status, outcome] of [
      [401, 'permission_denied'],
      [403, 'permission_denied'],
      [429, 'error'],
    ] as const) {
      const connectionId = randomUUID();
      const refusal = await refusedWith(host.url, { 'x-reject': String(status), 'x-request-id': connectionId });
      expect(refusal).toEqual({ status, body: `refused with ${status}` });
      const [row] = await rowsOf(connectionId, 1);
      expect(row).toMatchObject({
        action_type: 'WS:CONNECT',
        user_id: 'anonymous',
        response_status: status,
        outcome,
        error_message: `refused with ${status}`,
        request_id: connectionId,
      });
    }
  });

  it.runIf(mode === 'wrapped')('WS13 an upgrade run through the app holds no request in flight: close() does not wait for it', async () => {
    const own = createAuditTrail({ database: database.url, logger: false, closeTimeoutMs: 5_000, spillDir: mkdtempSync(path.join(tmpdir(), 'ws-close-')) });
    const ownHost = await adapter.start(own, mode);
    const client = await connect(ownHost.url);
    client.send({ type: 'ping' });
    await client.close();
    await ownHost.close();
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('WS11 ignores X-Forwarded-For from an untrusted peer, and follows it from a trusted one', async () => {
    const spoofed = await connect(host.url, { 'x-forwarded-for': '203.0.113.9' });
    const proxied = await connect(trustingHost.url, { 'x-forwarded-for': '203.0.113.9' });
    spoofed.send({ type: 'ping' });
    proxied.send({ type: 'ping' });
    await Promise.all([spoofed.close(), proxied.close()]);
    for (const row of await rowsOf(spoofed.connectionId, 3)) expect(row.ip_address).toBe('127.0.0.1');
    for (const row of await rowsOf(proxied.connectionId, 3)) expect(row.ip_address).toBe('203.0.113.9');
  });

  it('WS12 redacts secrets inside data, and caps a 1 MB message, marking it truncated', async () => {
    const client = await connect(host.url);
    client.send({ pkg_id: 3, req_id: 'secret-1', data: { name: 'Ivo', password: 'hunter2', nested: { apiKey: 'k-123', authorization: 'Bearer x' } } });
    await client.next();
    client.send({ type: 'upload', blob: 'x'.repeat(1024 * 1024) });
    await client.close();
    const rows = await rowsOf(client.connectionId, 4);
    expect(rows[1]!.request_data).toEqual({
      data: { name: 'Ivo', password: '[REDACTED]', nested: { apiKey: '[REDACTED]', authorization: '[REDACTED]' } },
      path: WS_PATH,
      connection_id: client.connectionId,
    });
    const large = rows[2]!;
    expect(large.action_type).toBe('WS:upload');
    expect(large.request_data).toMatchObject({ truncated: true });
    expect(JSON.stringify(large.request_data).length).toBeLessThan(70 * 1024);
  });
});
