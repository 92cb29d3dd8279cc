import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import { ACTIONS, WEBSOCKET_HOSTS } from '../contract/websocket-hosts.js';
import { METRICS_HOSTS } from '../metrics/metrics-hosts.js';
import { useTestDatabase } from '../support/database.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { awaitRows, connect, connectionRows } from '../support/ws-client.js';

const database = useTestDatabase();

describe('WebSocket metrics', () => {
  it('WS22 counts messages and rows by action and outcome, times replies and gauges open connections, on the metrics route', async () => {
    const trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20, spillDir: mkdtempSync(path.join(tmpdir(), 'ws-metrics-')) });
    await trail.ready();
    const metrics = await METRICS_HOSTS[1]!.start(trail);
    const host = await WEBSOCKET_HOSTS[1]!.start(trail, 'server', { actions: ACTIONS });
    const scrape = async () => parseExposition(await (await fetch(`${metrics.url}/metrics`)).text());

    const client = await connect(host.url);
    for (let i = 0; i < 3; i++) {
      client.send({ pkg_id: 1, req_id: `m-${i}`, data: {} });
      await client.next();
    }
    client.send({ pkg_id: 7, req_id: 'denied', data: {} });
    await client.next();
    const open = await scrape();
    expect(sampleValue(open, 'ws_connections_open')).toBe(1);
    expect(sampleValue(open, 'ws_messages_total', { action: 'GET_AUTHORS' })).toBe(3);
    expect(sampleValue(open, 'ws_reply_duration_seconds_count', { action: 'GET_AUTHORS' })).toBe(3);
    expect(sampleValue(open, 'ws_audit_rows_total', { action: 'DELETE_AUTHOR', outcome: 'permission_denied' })).toBe(1);

    await client.close();
    const { sequelize } = await trail.store();
    await awaitRows(trail, () => connectionRows(sequelize, client.connectionId), 6);
    const closed = await scrape();
    expect(sampleValue(closed, 'ws_connections_open')).toBe(0);
    expect(sampleValue(closed, 'ws_audit_rows_total', { action: 'GET_AUTHORS', outcome: 'success' })).toBe(3);
    expect(sampleValue(closed, 'ws_audit_rows_total', { action: 'CONNECT', outcome: 'success' })).toBe(1);
    expect(sampleValue(closed, 'ws_audit_rows_total', { action: 'DISCONNECT', outcome: 'success' })).toBe(1);
    await host.close();
    await metrics.close();
    await trail.close();
  });
});
