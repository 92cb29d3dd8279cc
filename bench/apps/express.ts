import type { RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import express, { type RequestHandler } from 'express';
import pino from 'pino';
import { auditTrail } from '../../adapters/express.js';
import { BENCH_USER, ITEM, ITEM_PATH, LOGIN_PATH } from '../workload.js';
import type { BenchApp } from './bench-app.js';

type Extra = 'none' | 'pino' | 'audit';

// Loaded untyped: pino-http's types redeclare http.IncomingMessage#id for the whole program,
// which would clash with the Express adapter's own `req.id`.
const pinoHttp = createRequire(import.meta.url)('pino-http') as (options: { logger: pino.Logger }) => RequestHandler;

/** The same Express app each time; only the middleware mounted first differs. */
export function expressApp(extra: Extra, settings: { databaseUrl: string; logFile: string }): BenchApp {
  const app = express();
  const audit = extra === 'audit' ? auditTrail({ database: settings.databaseUrl }) : undefined;
  if (audit) app.use(audit);
  // pino's asynchronous destination: the kindest setting for the comparison.
  if (extra === 'pino') app.use(pinoHttp({ logger: pino(pino.destination({ dest: settings.logFile, sync: false })) }));
  app.use(express.json());
  app.use((req, _res, next) => {
    (req as { user?: unknown }).user = BENCH_USER;
    next();
  });
  app.get(ITEM_PATH, (req, res) => void res.json({ ...ITEM, id: Number(req.params.id) }));
  app.post(LOGIN_PATH, (_req, res) => void res.json({ ok: true }));
  if (audit) app.use(audit.errorHandler);

  return {
    handler: app as unknown as RequestListener,
    ready: () => audit?.ready() ?? Promise.resolve(),
    flush: () => audit?.flush() ?? Promise.resolve(),
    close: () => audit?.close() ?? Promise.resolve(),
  };
}
