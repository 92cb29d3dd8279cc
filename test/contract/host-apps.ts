import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { auditTrail as expressAudit } from '../../adapters/express.js';
import { auditTrail as koaAudit } from '../../adapters/koa.js';
import type { CaptureOptions } from '../../src/capture/capture-options.js';
import type { AuditTrail } from '../../src/trail.js';
import { listen, claimsOf } from '../support/listen.js';

/** A running host app with the audit middleware mounted first, as the README tells users to. */
export interface HostApp {
  readonly url: string;
  readonly handle: { flush(): Promise<void> };
  close(): Promise<void>;
}

export interface HostAdapter {
  readonly name: string;
  /** `proxyHops`: the framework's own trust-proxy setting (Express `trust proxy`, Koa `proxy` and `maxIpsCount`). */
  start(trail: AuditTrail, options?: CaptureOptions, proxyHops?: number): Promise<HostApp>;
}

function circular(): unknown {
  const value: Record<string, unknown> = { name: 'loop', password: 'hidden' };
  value.self = value;
  return value;
}

/** An error message that quotes secrets, as a failed upstream call's often does. */
export const LEAKY_MESSAGE = 'GET https://app:S3CR3T@api.example/x?access_token=T0K3N failed: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0 rejected';

/** Errors raised three ways under nested routers, for the route template recorded as they leave them. */
export const NESTED_FAILURES = ['/api/v1/boom', '/api/v1/reject', '/api/v1/next-error'] as const;

/** The `/api/v1` routers: a sync throw, an async rejection and `next(err)`, each failing its request. */
function expressNestedRouters(express: typeof express5, handlesRejections: boolean): express5.Router {
  const v1 = express.Router();
  v1.get('/boom', () => {
    throw new Error('kaboom');
  });
  const rejecting = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('rejected');
  };
  // Express 4 ignores a returned promise: its hosts pass rejections on themselves.
  v1.get('/reject', handlesRejections ? rejecting : (_req, _res, next) => void rejecting().catch(next));
  v1.get('/next-error', (_req, _res, next) => next(new Error('passed on')));
  const api = express.Router();
  api.use('/v1', v1);
  return api;
}

function expressAdapter(name: string, express: typeof express5, handlesRejections: boolean): HostAdapter {
  return {
    name,
    async start(trail, options, proxyHops) {
      const audit = expressAudit(trail, options);
      const app = express();
      if (proxyHops !== undefined) app.set('trust proxy', proxyHops);
      app.use(audit);
      app.use(express.json({ limit: '10mb' }));
      app.use((req, _res, next) => {
        (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
        next();
      });
      app.get('/ok', (_req, res) => void res.json({ ok: true }));
      app.get('/request-id', (req, res) => void res.json({ requestId: (req as { id?: unknown }).id }));
      app.post('/items', (_req, res) => void res.status(201).json({ received: true }));
      app.get('/authors/:id', (req, res) => void res.json({ id: req.params.id }));
      const nested = express.Router();
      nested.get('/:id', (req, res) => void res.json({ id: req.params.id }));
      app.use('/nested', nested);
      app.use('/api', expressNestedRouters(express, handlesRejections));
      app.get('/status/:code', (req, res) => void res.status(Number(req.params.code)).json({ code: req.params.code }));
      app.get('/boom', () => {
        throw new Error('kaboom');
      });
      app.get('/leaky', () => {
        throw new Error(LEAKY_MESSAGE);
      });
      app.get('/slow', (_req, res) => void setTimeout(() => res.json({ late: true }), 1_500));
      app.post(
        '/circular',
        (req, _res, next) => {
          req.body = circular();
          next();
        },
        (_req, res) => void res.json({ ok: true }),
      );
      app.get('/metrics', (_req, res) => void res.send('metrics'));
      app.use(audit.errorHandler);
      app.use(((_error, _req, res, _next) => void res.status(500).json({ error: 'internal' })) as express5.ErrorRequestHandler);
      const server = await listen(app);
      return { ...server, handle: audit };
    },
  };
}

function koaAdapter(name: string, Koa: typeof Koa3): HostAdapter {
  return {
    name,
    async start(trail, options, proxyHops) {
      const audit = koaAudit(trail, options);
      const app = new Koa();
      if (proxyHops !== undefined) Object.assign(app, { proxy: true, maxIpsCount: proxyHops });
      app.silent = true;
      const router = new Router();
      router.get('/ok', (ctx) => void (ctx.body = { ok: true }));
      router.get('/request-id', (ctx) => void (ctx.body = { requestId: ctx.state.requestId }));
      router.post('/items', (ctx) => {
        ctx.status = 201;
        ctx.body = { received: true };
      });
      router.get('/authors/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
      router.get('/nested/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
      router.get('/status/:code', (ctx) => {
        ctx.status = Number(ctx.params.code);
        ctx.body = { code: ctx.params.code };
      });
      router.get('/boom', () => {
        throw new Error('kaboom');
      });
      router.get('/leaky', () => {
        throw new Error(LEAKY_MESSAGE);
      });
      router.get('/slow', async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        ctx.body = { late: true };
      });
      router.post('/circular', (ctx) => {
        (ctx.request as { body?: unknown }).body = circular();
        ctx.body = { ok: true };
      });
      router.get('/metrics', (ctx) => void (ctx.body = 'metrics'));
      const v1 = new Router();
      v1.get('/boom', () => {
        throw new Error('kaboom');
      });
      v1.get('/reject', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('rejected');
      });
      v1.get('/next-error', async (_ctx, next) => {
        await next();
        throw new Error('passed on');
      });
      const api = new Router();
      api.use('/v1', v1.routes());
      router.use('/api', api.routes());
      app.use(audit);
      app.use(bodyParser({ jsonLimit: '10mb' }));
      app.use(async (ctx, next) => {
        ctx.state.user = claimsOf(ctx.headers['x-test-user']);
        await next();
      });
      app.use(router.routes());
      const server = await listen(app.callback());
      return { ...server, handle: audit };
    },
  };
}

export const HOST_ADAPTERS: readonly HostAdapter[] = [
  expressAdapter('express 4', express4, false),
  expressAdapter('express 5', express5, true),
  koaAdapter('koa 2', Koa2),
  koaAdapter('koa 3', Koa3),
];
