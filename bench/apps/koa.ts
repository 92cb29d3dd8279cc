import type { RequestListener } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { auditTrail } from '../../adapters/koa.js';
import { BENCH_USER, ITEM, ITEM_PATH, LOGIN_PATH } from '../workload.js';
import type { BenchApp } from './bench-app.js';

/** The same Koa app each time, with or without the audit middleware mounted first. */
export function koaApp(audited: boolean, settings: { databaseUrl: string }): BenchApp {
  const app = new Koa();
  const audit = audited ? auditTrail({ database: settings.databaseUrl }) : undefined;
  if (audit) app.use(audit);
  app.use(bodyParser());
  app.use(async (ctx, next) => {
    ctx.state.user = BENCH_USER;
    await next();
  });
  const router = new Router();
  router.get(ITEM_PATH, (ctx) => {
    ctx.body = { ...ITEM, id: Number(ctx.params.id) };
  });
  router.post(LOGIN_PATH, (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes());

  return {
    handler: app.callback(),
    ready: () => audit?.ready() ?? Promise.resolve(),
    flush: () => audit?.flush() ?? Promise.resolve(),
    close: () => audit?.close() ?? Promise.resolve(),
  };
}
