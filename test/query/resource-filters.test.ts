import Router from '@koa/router';
import express from 'express';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail as expressAudit } from '../../adapters/express.js';
import { auditTrail as koaAudit } from '../../adapters/koa.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { listen, type ListeningServer } from '../support/listen.js';

const database = useTestDatabase();
let trail: AuditTrail;
const servers: ListeningServer[] = [];

beforeAll(async () => {
  trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20 });
  await trail.ready();
  const app = express().use(expressAudit(trail));
  app.delete('/authors/:id', (_req, res) => void res.status(204).end());
  const router = new Router().delete('/authors/:id', (ctx) => void (ctx.status = 204));
  const koa = new Koa().use(koaAudit(trail)).use(router.routes());
  servers.push(await listen(app), await listen(koa.callback()));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await trail.close();
});

describe('a path sent in another case cannot dodge the resource filters', () => {
  it('R01 DELETE /AUTHORS/312 on Express and Koa is found by ignoreCase and by the route template', async () => {
    for (const server of servers) expect((await fetch(`${server.url}/AUTHORS/312`, { method: 'DELETE' })).status).toBe(204);
    await trail.flush();
    const found = async (filters: Parameters<AuditTrail['query']>[0]) => (await trail.query(filters)).data.map((entry) => entry.resource);
    expect(await found({ resource: '/authors/*' })).toEqual([]);
    expect(await found({ resource: '/authors/*', ignoreCase: true })).toEqual(['/AUTHORS/312', '/AUTHORS/312']);
    expect(await found({ route: '/authors/:id' })).toEqual(['/AUTHORS/312', '/AUTHORS/312']);
    expect(await found({ route: '/authors/*', actionType: 'DELETE' })).toHaveLength(2);
  });
});
