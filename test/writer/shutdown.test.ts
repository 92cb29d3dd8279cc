import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../adapters/express.js';
import { createAuditTrail } from '../../src/index.js';
import { missingAndDuplicated, startAuditedApp } from '../support/audited-app.js';
import { useTestDatabase } from '../support/database.js';
import { listen } from '../support/listen.js';
import { memoryLogger } from '../support/memory-logger.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const database = useTestDatabase();
let direct: Sequelize;
let proxy: TcpProxy;

beforeAll(async () => {
  direct = new Sequelize(database.url, { logging: false });
  proxy = await startTcpProxy(database.url);
});
afterAll(async () => {
  await proxy.close();
  await direct.close();
});

async function send(url: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(ids.slice(i, i + 50).map(async (id) => (await fetch(url, { headers: { 'x-request-id': id } })).arrayBuffer()));
  }
  return ids;
}

describe('close()', () => {
  it('W20 right after 5,000 requests leaves 5,000 rows', async () => {
    const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const trail = createAuditTrail({ database: database.url, logger: false, spillDir });
    await trail.ready();
    const app = await startAuditedApp(trail);
    const ids = await send(app.url, 5_000);
    await app.close();
    await trail.close();
    expect(await missingAndDuplicated(direct, ids)).toEqual({ missing: [], duplicated: [] });
    expect(readdirSync(spillDir)).toEqual([]);
  });

  it('W21 spills what it cannot write by the deadline, and the next start replays it exactly once', async () => {
    const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const logger = memoryLogger();
    // Nothing is written before close(): one batch, long interval.
    const first = createAuditTrail({ database: proxy.url, logger, spillDir, closeTimeoutMs: 500, batchSize: 1_000, flushIntervalMs: 60_000 });
    await first.ready();
    const app = await startAuditedApp(first);
    const ids = await send(app.url, 300);
    await app.close();
    proxy.cut();
    await first.close();
    proxy.restore();
    expect(logger.text()).toMatch(/300 audit event\(s\) not written by close\(\) were spilled/);
    expect(readdirSync(spillDir)).toHaveLength(1);

    const replayed: number[] = [];
    const second = createAuditTrail({ database: proxy.url, logger: false, spillDir });
    second.telemetry.on('events_replayed', ({ count }) => replayed.push(count));
    await second.ready();
    await second.flush();
    await second.close();
    expect(replayed.reduce((a, b) => a + b, 0)).toBe(300);
    expect(readdirSync(spillDir)).toEqual([]);
    expect(await missingAndDuplicated(direct, ids)).toEqual({ missing: [], duplicated: [] });
  });

  it('W22 writes an event recorded after close() to the spill file at once, and the next start stores it', async () => {
    const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const first = createAuditTrail({ database: database.url, logger: false, spillDir });
    await first.ready();
    const app = await startAuditedApp(first);
    await first.close();
    const [late] = await send(app.url, 1);
    await app.close();
    // On disk before the response went out: no flush, no timer, nothing left to run.
    expect(readdirSync(spillDir)).toHaveLength(1);

    const second = createAuditTrail({ database: database.url, logger: false, spillDir });
    await second.ready();
    await second.flush();
    await second.close();
    expect(await missingAndDuplicated(direct, [late!])).toEqual({ missing: [], duplicated: [] });
    expect(readdirSync(spillDir)).toEqual([]);
  });

  it('W23 lets a request under way finish and stores its row before closing', async () => {
    const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const trail = createAuditTrail({ database: database.url, logger: false, spillDir });
    await trail.ready();
    const app = express();
    app.use(auditTrail(trail));
    app.get('/slow', (_req, res) => void setTimeout(() => res.json({ ok: true }), 300));
    const server = await listen(app);
    const requestId = `slow-${Date.now()}`;
    const answered = fetch(`${server.url}/slow`, { headers: { 'x-request-id': requestId } });
    await sleep(50);
    const closedAt = performance.now();
    await trail.close();
    expect(performance.now() - closedAt).toBeGreaterThan(200);
    expect((await answered).status).toBe(200);
    await server.close();
    expect(await missingAndDuplicated(direct, [requestId])).toEqual({ missing: [], duplicated: [] });
    expect(readdirSync(spillDir)).toEqual([]);
  });
});
