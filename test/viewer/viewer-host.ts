import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { auditLogRouter, auditTrail, type ExpressAuditMiddleware } from '../../adapters/express.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import type { AuditLogRequest } from '../../src/query/router-options.js';
import { claimsOf, listen, type ListeningServer } from '../support/listen.js';

export const MOUNT = '/audit-log';

/** An Express host with the viewer on, its own trail (the tamper-evidence chain on) and spill folder, and any path answering `?status=`. */
export async function startViewerHost(
  database: string,
  routes: (app: express.Express, audit: ExpressAuditMiddleware) => void = () => {},
): Promise<{ trail: AuditTrail; server: ListeningServer; close(): Promise<void> }> {
  const trail = createAuditTrail({ database, logger: false, flushIntervalMs: 20, integrity: true, spillDir: mkdtempSync(path.join(tmpdir(), 'audit-viewer-spill-')) });
  const app = express();
  const audit = auditTrail(trail);
  app.use(audit);
  app.use(express.json());
  app.use((req, _res, next) => {
    (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
    next();
  });
  app.use(MOUNT, auditLogRouter(trail, { authorize: ({ roles }: AuditLogRequest) => roles.includes('audit-reader'), viewer: true }));
  routes(app, audit);
  app.use((req, res) => void res.status(Number(req.query.status ?? 200)).json({ ok: true }));
  await trail.ready();
  const server = await listen(app);
  return {
    trail,
    server,
    async close() {
      await server.close();
      await trail.close();
    },
  };
}

/**
 * A request with a raw path and headers as given: fetch would percent-encode `<` and `>` in the path,
 * and a stored-XSS test needs them stored as an attacker sends them.
 */
export function rawRequest(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
