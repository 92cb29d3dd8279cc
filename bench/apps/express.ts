import type { RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { BENCH_USER, DOCUMENTS_PATH, ITEM, ITEM_PATH, LOGIN_PATH } from '../workload.js';
import type { BenchApp } from './bench-app.js';

type Extra = 'none' | 'minimal' | 'pino' | 'capture' | 'audit';

/** The same Express app each time; only the middleware mounted first differs. */
export async function expressApp(extra: Extra, settings: { databaseUrl: string; logFile: string }): Promise<BenchApp> {
  const app = express();
  // Imported only where used, so that a bare server's RSS holds no audit or logging code.
  const audit = extra === 'audit' || extra === 'capture' ? await auditMiddleware(extra, settings.databaseUrl) : undefined;
  if (audit) app.use(audit);
  if (extra === 'minimal') app.use((await import('./minimal-middleware.js')).minimalMiddleware());
  if (extra === 'pino') app.use(await pinoHttpToFile(settings.logFile));
  app.use(express.json());
  app.use((req, _res, next) => {
    (req as { user?: unknown }).user = BENCH_USER;
    next();
  });
  app.get(ITEM_PATH, (req, res) => void res.json({ ...ITEM, id: Number(req.params.id) }));
  app.post(LOGIN_PATH, (_req, res) => void res.json({ ok: true }));
  app.post(DOCUMENTS_PATH, (_req, res) => void res.status(201).json({ id: 1 }));
  if (audit) app.use(audit.errorHandler);

  return {
    handler: app as unknown as RequestListener,
    ready: () => audit?.ready() ?? Promise.resolve(),
    flush: () => audit?.flush() ?? Promise.resolve(),
    close: () => audit?.close() ?? Promise.resolve(),
  };
}

/**
 * `capture` runs the whole request path, every event built, and hands the events to a trail that
 * discards them: set beside `audit`, it splits what auditing costs into the request path and the writer.
 */
async function auditMiddleware(extra: 'capture' | 'audit', database: string) {
  const { auditTrail, createAuditTrail } = await import('../../adapters/express.js');
  const trail = createAuditTrail({ database });
  return auditTrail(extra === 'audit' ? trail : (Object.create(trail, { record: { value: () => undefined } }) as typeof trail));
}

/** pino-http on pino's asynchronous file destination: the kindest setting for the comparison. */
async function pinoHttpToFile(file: string): Promise<RequestHandler> {
  const { default: pino } = await import('pino');
  // Loaded untyped: pino-http's types redeclare http.IncomingMessage#id for the whole program,
  // which would clash with the Express adapter's own `req.id`.
  const pinoHttp = createRequire(import.meta.url)('pino-http') as (options: { logger: Logger }) => RequestHandler;
  return pinoHttp({ logger: pino(pino.destination({ dest: file, sync: false })) });
}
