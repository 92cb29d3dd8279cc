import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import { ACTIONS, WEBSOCKET_HOSTS } from '../contract/websocket-hosts.js';
import { useTestDatabase } from '../support/database.js';
import { startTraffic } from './traffic.js';

const database = useTestDatabase();
const CONNECTIONS = 50;
const MESSAGES = 200;

describe('WebSocket traffic', () => {
  it(`WS20 ${CONNECTIONS} connections × ${MESSAGES} messages give exactly ${CONNECTIONS * MESSAGES} message rows, ${CONNECTIONS} connects and ${CONNECTIONS} disconnects`, async () => {
    const trail = createAuditTrail({ database: database.url, logger: false, spillDir: mkdtempSync(path.join(tmpdir(), 'ws-load-')) });
    await trail.ready();
    const host = await WEBSOCKET_HOSTS[1]!.start(trail, 'server', { actions: ACTIONS });
    const traffic = await startTraffic(host.url, CONNECTIONS, MESSAGES);
    await traffic.done;
    await traffic.stop();
    // The server hears each close a moment after the client does.
    const { sequelize } = await trail.store();
    const counts = async () => {
      await trail.flush();
      const [rows] = await sequelize.query(
        `SELECT action_type, count(*)::int AS n, count(DISTINCT request_id)::int AS ids FROM user_actions
         WHERE request_data->>'connection_id' IN (:ids) GROUP BY action_type ORDER BY action_type`,
        { replacements: { ids: traffic.connectionIds } },
      );
      return rows;
    };
    const expected = [
      { action_type: 'WS:CONNECT', n: CONNECTIONS, ids: CONNECTIONS },
      { action_type: 'WS:DISCONNECT', n: CONNECTIONS, ids: CONNECTIONS },
      { action_type: 'WS:GET_AUTHORS', n: CONNECTIONS * MESSAGES, ids: CONNECTIONS * MESSAGES },
    ];
    await expect.poll(counts, { timeout: 20_000, interval: 200 }).toEqual(expected);
    const [[redacted]] = (await sequelize.query(`SELECT count(*)::int AS n FROM user_actions WHERE request_data->'data'->>'token' = '[REDACTED]'`)) as [
      Array<{ n: number }>,
      unknown,
    ];
    expect(redacted!.n).toBe(CONNECTIONS * MESSAGES);
    await host.close();
    await trail.close();
  });
});
