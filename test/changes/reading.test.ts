import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogRouter, auditTrail } from '../../adapters/express.js';
import { useTestDatabase } from '../support/database.js';
import { claimsOf, listen, type ListeningServer } from '../support/listen.js';
import { readyHost, type changesTrail, type hostModels } from './host.js';

const database = useTestDatabase();
let opened: ReturnType<typeof changesTrail>;
let models: ReturnType<typeof hostModels>;
let audit: ReturnType<typeof auditTrail>;
let server: ListeningServer;

beforeAll(async () => {
  ({ opened, models } = await readyHost(database.url));
  audit = auditTrail(opened.trail);
  audit.trackChanges(models.sequelize, { models: ['Invoice'] });
  const app = express();
  app.use(audit);
  app.use((req, _res, next) => {
    (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
    next();
  });
  app.post('/invoices/:id/bump', (req, res, next) => {
    void models.Invoice.findByPk(req.params.id)
      .then((invoice) => invoice!.update({ amount: (invoice!.get('amount') as number) + 1 }))
      .then(() => res.json({ ok: true }), next);
  });
  app.use('/audit-log', auditLogRouter(audit, { authorize: ({ roles }) => roles.includes('auditor') }));
  server = await listen(app);
});
afterAll(async () => {
  await server.close();
  await opened.trail.close();
  await models.sequelize.close();
});

const AUDITOR = JSON.stringify({ sub: 'ann', roles: ['auditor'] });

async function bump(id: string): Promise<string> {
  const response = await fetch(`${server.url}/invoices/${id}/bump`, { method: 'POST', headers: { 'x-test-user': AUDITOR } });
  expect(response.status).toBe(200);
  return response.headers.get('x-request-id')!;
}

describe('reading model changes', () => {
  it("CR01 changes() pages a record's history newest first, and a request's changes by its event id", async () => {
    const invoice = await models.Invoice.create({ number: 'read', amount: 0 });
    const id = String(invoice.get('id'));
    const requests = [await bump(id), await bump(id), await bump(id)];
    await audit.flush();
    const first = await audit.changes({ model: 'Invoice', recordId: id, limit: 2 });
    const second = await audit.changes({ model: 'Invoice', recordId: id, limit: 2, cursor: first.nextCursor! });
    const history = [...first.data, ...second.data];
    expect(history.map((change) => change.operation)).toEqual(['update', 'update', 'update', 'create']);
    expect(history.map((change) => change.requestId)).toEqual([...requests].reverse().concat(null as never));
    expect(second.nextCursor).toBeNull();
    const { data } = await opened.trail.changes({ requestId: requests[0] });
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ model: 'Invoice', recordId: id, userId: 'ann', operation: 'update' });
    const byEvent = await audit.changes({ eventId: data[0]!.eventId! });
    expect(byEvent.data.map((change) => change.changeId)).toEqual([data[0]!.changeId]);
    await expect(audit.changes({ eventId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'invalid_query' });
  });

  it('CR02 the audit-log router answers GET /changes and GET /:eventId/changes behind authorize', async () => {
    const invoice = await models.Invoice.create({ number: 'routed', amount: 0 });
    const id = String(invoice.get('id'));
    const requestId = await bump(id);
    await audit.flush();
    const get = (path: string, user = AUDITOR) => fetch(`${server.url}/audit-log${path}`, { headers: { 'x-test-user': user } });
    const listed = await (await get(`/changes?model=Invoice&recordId=${id}`)).json();
    expect(listed.data.map((change: { operation: string }) => change.operation)).toEqual(['update', 'create']);
    const eventId = listed.data[0].eventId as string;
    const [entry] = (await audit.query({ requestId })).data;
    const ofEntry = await (await get(`/${eventId}/changes`)).json();
    expect(ofEntry.data).toHaveLength(1);
    expect(ofEntry.data[0]).toMatchObject({ requestId, recordId: id, changes: { amount: [0, 1] } });
    expect(entry).toBeDefined();
    expect((await get('/changes', JSON.stringify({ sub: 'eve', roles: [] }))).status).toBe(403);
    expect((await get('/nope/changes')).status).toBe(400);
  });
});
