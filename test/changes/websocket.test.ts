import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, auditWebSocket } from '../../adapters/express.js';
import type { AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { claimsOf } from '../support/listen.js';
import { awaitRows, connect, connectionRows } from '../support/ws-client.js';
import { changeRows, changesTrail, readyHost, type hostModels } from './host.js';

const database = useTestDatabase();

interface Host {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A `ws` server whose message listener renames an invoice, once at once and once after an await and a timer
 * (`{ req_id, id, number }`), and replies after `replyAfterMs`.
 */
async function serve(trail: AuditTrail, models: ReturnType<typeof hostModels>, replyAfterMs = 0, received?: () => void): Promise<Host> {
  const server = http.createServer();
  const wss = new WebSocketServer({
    server,
    verifyClient: ({ req }: { req: http.IncomingMessage }) => !!((req as { user?: unknown }).user = claimsOf(req.headers['x-test-user'])),
  });
  const audit = auditTrail(trail);
  audit.trackChanges(models.sequelize, { models: ['Invoice'] });
  auditWebSocket(wss, audit);
  wss.on('connection', (socket: WebSocket) => {
    socket.on('message', async (raw) => {
      received?.();
      const { req_id: reqId, id, number, late } = JSON.parse(raw.toString()) as { req_id: string; id: number; number: string; late?: boolean };
      if (late) {
        // The reply (and so the row) first; the only change comes after.
        socket.send(JSON.stringify({ req_id: reqId, status_code: 0 }));
        setTimeout(() => void models.Invoice.update({ number }, { where: { id }, individualHooks: true }), 20);
        return;
      }
      await models.Invoice.update({ number }, { where: { id }, individualHooks: true });
      await sleep(5);
      setTimeout(() => void models.Invoice.update({ amount: 7 }, { where: { id }, individualHooks: true }), 1);
      setTimeout(() => socket.send(JSON.stringify({ req_id: reqId, status_code: 0 })), replyAfterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('changes made while a WebSocket message is handled', () => {
  let opened: ReturnType<typeof changesTrail>;
  let models: ReturnType<typeof hostModels>;
  let host: Host;

  beforeAll(async () => {
    ({ opened, models } = await readyHost(database.url));
    host = await serve(opened.trail, models);
  });
  afterAll(async () => {
    await host.close();
    await opened.trail.close();
    await models.sequelize.close();
  });

  it("CW01 are tied to the message's row and the connection's user, across awaits and timers, each message its own", async () => {
    const invoices = await Promise.all([1, 2, 3].map((i) => models.Invoice.create({ number: `ws-${i}`, amount: 0 })));
    const user = { sub: 'ws-user-1', preferred_username: 'wanda' };
    const client = await connect(host.url, { 'x-test-user': JSON.stringify(user) });
    const reqIds = invoices.map((_, i) => `6b0c9a3e-1f2d-4e5a-8b7c-00000000000${i}`);
    invoices.forEach((invoice, i) => client.send({ type: 'RENAME', req_id: reqIds[i], id: invoice.get('id'), number: `renamed-${i}` }));
    for (let i = 0; i < invoices.length; i++) await client.next();
    await client.close();
    const rows = await awaitRows(opened.trail, async () => (await connectionRows(models.sequelize, client.connectionId)).filter((row) => row.action_type === 'WS:RENAME'), 3);
    await sleep(50);
    await opened.trail.flush();
    for (const [i, invoice] of invoices.entries()) {
      const row = rows.find((each) => each.request_id === reqIds[i])!;
      const changes = await changeRows(models.sequelize, `record_id = '${String(invoice.get('id'))}' AND operation = 'update'`);
      expect(changes.map((change) => Object.keys(change.changes)[0])).toEqual(['number', 'amount']);
      for (const change of changes) expect(change).toMatchObject({ event_id: row.event_id, request_id: reqIds[i], user_id: 'ws-user-1', username: 'wanda' });
    }
  });
});

describe("a change made after the message's row was written", () => {
  it('CW03 still points to that row', async () => {
    const { opened, models } = await readyHost(database.url);
    const host = await serve(opened.trail, models);
    const invoice = await models.Invoice.create({ number: 'before', amount: 0 });
    const client = await connect(host.url, { 'x-test-user': JSON.stringify({ sub: 'later' }) });
    client.send({ type: 'LATER', req_id: 'late-change-1', id: invoice.get('id'), number: 'after', late: true });
    await client.next();
    const [row] = await awaitRows(opened.trail, async () => (await connectionRows(models.sequelize, client.connectionId)).filter((each) => each.action_type === 'WS:LATER'), 1);
    const [change] = await awaitChanges(opened.trail, models, `record_id = '${String(invoice.get('id'))}' AND operation = 'update'`);
    expect(change).toMatchObject({ event_id: row!.event_id, request_id: 'late-change-1', user_id: 'later' });
    await client.close();
    await host.close();
    await opened.trail.close();
    await models.sequelize.close();
  });
});

/** Flushes and reads until a change row matches `where`. */
async function awaitChanges(trail: AuditTrail, models: ReturnType<typeof hostModels>, where: string) {
  for (let tries = 0; tries < 100; tries++) {
    await trail.flush();
    const rows = await changeRows(models.sequelize, where);
    if (rows.length > 0) return rows;
    await sleep(20);
  }
  throw new Error(`no change row where ${where}`);
}

describe('close() and WebSocket messages', () => {
  it('CW02 waits for a message whose reply is still pending, and stores its row', async () => {
    const { opened, models } = await readyHost(database.url);
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const host = await serve(opened.trail, models, 400, arrived);
    const invoice = await models.Invoice.create({ number: 'closing', amount: 0 });
    const client = await connect(host.url, { 'x-test-user': JSON.stringify({ sub: 'closer' }) });
    client.send({ type: 'LATE', req_id: 'late-reply-1', id: invoice.get('id'), number: 'closing-2' });
    await received;
    await opened.trail.close();
    const rows = await connectionRows(models.sequelize, client.connectionId);
    expect(rows.filter((row) => row.action_type === 'WS:LATE')).toEqual([expect.objectContaining({ request_id: 'late-reply-1', response_status: 0, outcome: 'success' })]);
    await host.close();
    await models.sequelize.close();
  });
});
