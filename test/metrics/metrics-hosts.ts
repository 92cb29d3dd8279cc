import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import Router from '@koa/router';
import { auditTrail as expressAudit, metricsRoute as expressMetrics } from '../../adapters/express.js';
import { auditTrail as koaAudit, metricsRoute as koaMetrics } from '../../adapters/koa.js';
import type { MetricsRouteOptions } from '../../src/metrics/endpoint.js';
import type { AuditTrail } from '../../src/trail.js';
import { listen } from '../support/listen.js';

/** A running host app with the audit middleware first and the metrics route at `/metrics`. */
export interface MetricsHost {
  readonly url: string;
  close(): Promise<void>;
}

export interface MetricsHostAdapter {
  readonly name: string;
  start(trail: AuditTrail, options?: MetricsRouteOptions): Promise<MetricsHost>;
}

function expressHost(name: string, express: typeof express5): MetricsHostAdapter {
  return {
    name,
    start(trail, options) {
      const app = express();
      app.use(expressAudit(trail));
      app.get('/metrics', expressMetrics(trail, options));
      app.get('/ok', (_req, res) => void res.json({ ok: true }));
      app.get('/authors/:id', (req, res) => void res.json({ id: req.params.id }));
      return listen(app);
    },
  };
}

function koaHost(name: string, Koa: typeof Koa3): MetricsHostAdapter {
  return {
    name,
    start(trail, options) {
      const app = new Koa();
      app.silent = true;
      const router = new Router();
      router.get('/ok', (ctx) => void (ctx.body = { ok: true }));
      router.get('/authors/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
      app.use(koaAudit(trail));
      app.use(koaMetrics(trail, options));
      app.use(router.routes());
      return listen(app.callback());
    },
  };
}

export const METRICS_HOSTS: readonly MetricsHostAdapter[] = [
  expressHost('express 4', express4),
  expressHost('express 5', express5),
  koaHost('koa 2', Koa2),
  koaHost('koa 3', Koa3),
];

/** GETs a path and reads the body, so the request has finished when this resolves. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: string; headers: Headers }> {
  const response = await fetch(url, { headers });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text(), headers: response.headers };
}

/** Sends `count` requests, `concurrency` at a time. */
export async function hammer(count: number, concurrency: number, url: (index: number) => string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await get(url(next++));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
