import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Sequelize } from 'sequelize';
import { auditTrail } from '../../adapters/express.js';
import type { AuditTrail } from '../../src/trail.js';

/** The smallest audited Express host: `GET /ok` answers 200. */
export async function startAuditedApp(trail: AuditTrail): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(auditTrail(trail));
  app.get('/ok', (_req, res) => void res.json({ ok: true }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ok`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** How many rows each request id left. */
export async function rowCounts(sequelize: Sequelize): Promise<Map<string, number>> {
  const [rows] = await sequelize.query('SELECT request_id, count(*)::int AS n FROM user_actions GROUP BY request_id');
  return new Map((rows as Array<{ request_id: string; n: number }>).map((row) => [row.request_id, row.n]));
}

/** Request ids with no row, and request ids with more than one. */
export async function missingAndDuplicated(sequelize: Sequelize, requestIds: readonly string[]) {
  const counts = await rowCounts(sequelize);
  return {
    missing: requestIds.filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
  };
}
