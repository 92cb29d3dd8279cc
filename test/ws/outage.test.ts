import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import { ACTIONS, WEBSOCKET_HOSTS } from '../contract/websocket-hosts.js';
import { memoryLogger } from '../support/memory-logger.js';
import { useProxiedDatabase } from '../support/proxied-database.js';
import { startTraffic } from './traffic.js';

const database = useProxiedDatabase();

describe('a database outage during WebSocket traffic', () => {
  it('WS21 loses no message, connect or disconnect row, and stores each exactly once when the database is back', async () => {
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: database.proxy.url, logger, spillDir: mkdtempSync(path.join(tmpdir(), 'ws-outage-')), flushIntervalMs: 50, maxQueue: 500 });
    let dropped = 0;
    let spilled = 0;
    trail.telemetry.on('dropped', ({ count }) => (dropped += count));
    trail.telemetry.on('events_spilled', ({ count }) => (spilled += count));
    await trail.ready();
    const host = await WEBSOCKET_HOSTS[3]!.start(trail, 'noServer', { actions: ACTIONS });
    const traffic = await startTraffic(host.url, 8, Infinity, 2);
    await sleep(1_000);
    database.proxy.cut();
    await sleep(5_000);
    database.proxy.restore();
    await sleep(1_000);
    await traffic.stop();
    await sleep(200); // the server hears the closes
    await trail.flush();
    await host.close();
    await trail.close();

    expect(traffic.sent.length).toBeGreaterThan(1_000);
    expect(spilled).toBeGreaterThan(0);
    expect(dropped).toBe(0);
    const everyRow = [...traffic.sent, ...traffic.connectionIds];
    const [rows] = await database.direct.query(
      `SELECT action_type, count(*)::int AS n, count(DISTINCT request_id)::int AS ids FROM user_actions WHERE request_id IN (:ids) GROUP BY action_type ORDER BY action_type`,
      { replacements: { ids: everyRow } },
    );
    expect(rows).toEqual([
      { action_type: 'WS:CONNECT', n: 8, ids: 8 },
      { action_type: 'WS:DISCONNECT', n: 8, ids: 8 },
      // As many rows as messages sent, one for each: none missing, none twice.
      { action_type: 'WS:GET_AUTHORS', n: traffic.sent.length, ids: traffic.sent.length },
    ]);
    expect(logger.text()).toMatch(/audit writes are failing/);
  });
});
