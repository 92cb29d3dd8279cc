import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import type { ListeningServer } from '../support/listen.js';
import { changeRows, readyHost, type changesTrail, type hostModels } from './host.js';
import { REQUEST_HOSTS } from './request-hosts.js';

const database = useTestDatabase();

describe.each(REQUEST_HOSTS)('changes made by requests ($name)', (host) => {
  let opened: ReturnType<typeof changesTrail>;
  let models: ReturnType<typeof hostModels>;
  let server: ListeningServer;

  beforeAll(async () => {
    ({ opened, models } = await readyHost(database.url));
    server = await host.start(opened.trail, models);
  });
  afterAll(async () => {
    await server.close();
    await opened.trail.close();
    await models.sequelize.close();
  });

  /** An invoice and its customer `c-<id>`, made outside any request. */
  async function seed(): Promise<string> {
    const invoice = await models.Invoice.create({ number: host.name, amount: 0 });
    const id = String(invoice.get('id'));
    await models.Customer.create({ name: `c-${id}`, password: 'old' });
    return id;
  }

  async function send(method: string, path: string, user: string, body?: unknown): Promise<string> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-test-user': JSON.stringify({ sub: user, preferred_username: `${user}-name` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return response.headers.get('x-request-id')!;
  }

  /** The request's user_actions row and its changes, joined by event id. */
  async function linked(requestId: string) {
    await opened.trail.flush();
    const [actions] = await models.sequelize.query(`SELECT event_id, user_id FROM user_actions WHERE request_id = '${requestId}'`);
    const [action] = actions as Array<{ event_id: string; user_id: string }>;
    return { action: action!, changes: await changeRows(models.sequelize, `request_id = '${requestId}'`) };
  }

  it('RC01 a request that changes two models links both to its user_actions row, with its user', async () => {
    const id = await seed();
    const requestId = await send('PUT', `/invoices/${id}`, 'alice', { amount: 42, customer: 'new-secret' });
    const { action, changes } = await linked(requestId);
    expect(changes.map((change) => [change.model, change.operation, change.record_id])).toEqual([
      ['Invoice', 'update', id],
      ['Customer', 'update', expect.any(String)],
    ]);
    expect(changes.every((change) => change.event_id === action.event_id && change.user_id === 'alice' && change.username === 'alice-name')).toBe(true);
    expect(changes[0]!.changes).toMatchObject({ amount: [0, 42] });
    expect(changes[1]!.changes).toEqual({ password: '[REDACTED]' });
  });

  it('RC02 work the request started (nextTick, setImmediate, a promise chain, a timer after the response) is its own', async () => {
    const id = await seed();
    const requestId = await send('POST', `/later/${id}`, 'bob');
    await sleep(300);
    const { action, changes } = await linked(requestId);
    expect(changes.map((change) => (change.changes.set as { amount: number }).amount)).toEqual([1, 2, 3]);
    expect(changes.every((change) => change.event_id === action.event_id && change.user_id === 'bob' && change.operation === 'bulk_update')).toBe(true);
  });

  it('RC03 200 concurrent requests, each changing its own record: no change crosses to another request', async () => {
    const ids = await Promise.all(Array.from({ length: 200 }, () => seed()));
    const requestIds = await Promise.all(ids.map((id, i) => send('PUT', `/invoices/${id}`, `user-${i}`, { amount: i + 1, customer: 'x' })));
    await opened.trail.flush();
    const [rows] = await models.sequelize.query(
      `SELECT c.record_id, c.model, c.user_id, c.changes, u.request_id, u.user_id AS row_user FROM user_action_changes c JOIN user_actions u USING (event_id)
       WHERE u.request_id IN ('${requestIds.join("','")}') AND c.model = 'Invoice'`,
    );
    const byRequest = new Map(
      (rows as Array<{ record_id: string; user_id: string; row_user: string; request_id: string; changes: { amount: number[] } }>).map((row) => [row.request_id, row]),
    );
    expect(byRequest.size).toBe(200);
    requestIds.forEach((requestId, i) => {
      const row = byRequest.get(requestId)!;
      expect([row.record_id, row.user_id, row.row_user, row.changes.amount[1]]).toEqual([ids[i], `user-${i}`, `user-${i}`, i + 1]);
    });
  });

  it("RC04 a write outside any request is the system's", async () => {
    const id = await seed();
    await opened.trail.flush();
    const [created] = await changeRows(models.sequelize, `model = 'Invoice' AND record_id = '${id}'`);
    expect([created!.user_id, created!.event_id, created!.request_id]).toEqual(['system', null, null]);
  });
});
