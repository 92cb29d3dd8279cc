import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { HOST_ADAPTERS, type HostApp } from '../contract/host-apps.js';
import { missingAndDuplicated, startAuditedApp } from '../support/audited-app.js';
import { useTestDatabase } from '../support/database.js';
import { rowOf, rowsByRequestId } from '../support/rows.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const database = useTestDatabase();
let direct: Sequelize;
beforeAll(() => void (direct = new Sequelize(database.url, { logging: false })));
afterAll(() => direct.close());

const spillDir = () => mkdtempSync(path.join(tmpdir(), 'audit-spill-'));

describe.each(HOST_ADAPTERS)("mode: 'strict' on $name", (adapter) => {
  let trail: AuditTrail;
  let app: HostApp;

  beforeAll(async () => {
    // A flush interval far beyond the test: only strict mode can have stored the row by the time we look.
    trail = createAuditTrail({ database: database.url, logger: false, mode: 'strict', flushIntervalMs: 60_000, spillDir: spillDir() });
    await trail.ready();
    app = await adapter.start(trail);
  });
  afterAll(async () => {
    await app.close();
    await trail.close();
  });

  it.each([
    ['/ok', 200, 'success'],
    ['/status/403', 403, 'permission_denied'],
    ['/boom', 500, 'error'],
  ])('W30 %s: the row is stored before the response is complete', async (url, status, outcome) => {
    const requestId = randomUUID();
    const response = await fetch(`${app.url}${url}`, { headers: { 'x-request-id': requestId } });
    await response.arrayBuffer();
    expect(response.status).toBe(status);
    expect(await rowOf(direct, requestId)).toMatchObject({ response_status: status, outcome });
  });
});

describe("mode: 'strict' while the database is down", () => {
  it("W31 answers from the fsync'd spill file, and the rows arrive exactly once when the database is back", async () => {
    const proxy = await startTcpProxy(database.url);
    const trail = createAuditTrail({ database: proxy.url, logger: false, mode: 'strict', spillDir: spillDir() });
    let spilled = 0;
    trail.telemetry.on('events_spilled', ({ count }) => (spilled += count));
    await trail.ready();
    const app = await startAuditedApp(trail);
    proxy.cut();
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const id of ids) expect((await fetch(app.url, { headers: { 'x-request-id': id } })).status).toBe(200);
    expect(spilled).toBe(20);
    expect(await rowsByRequestId(direct, ids[0]!)).toEqual([]);
    proxy.restore();
    await trail.flush();
    await app.close();
    await trail.close();
    await proxy.close();
    expect(await missingAndDuplicated(direct, ids)).toEqual({ missing: [], duplicated: [] });
  });
});
