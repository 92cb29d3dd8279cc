import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { BENCH_USER, DOCUMENTS_PATH, ITEM, ITEM_PATH, LOGIN_PATH } from '../workload.js';
import type { BenchApp } from './bench-app.js';

/** The same Koa app each time, with or without the audit middleware mounted first. */
export async function koaApp(audited: boolean, settings: { databaseUrl: string }): Promise<BenchApp> {
  const app = new Koa();
  // Imported only where used, so that the bare server's RSS holds no audit code.
  const audit = audited ? (await import('../../adapters/koa.js')).auditTrail({ database: settings.databaseUrl }) : undefined;
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
  router.post(DOCUMENTS_PATH, (ctx) => {
    ctx.status = 201;
    ctx.body = { id: 1 };
  });
  app.use(router.routes());

  return {
    handler: app.callback(),
    ready: () => audit?.ready() ?? Promise.resolve(),
    flush: () => audit?.flush() ?? Promise.resolve(),
    close: () => audit?.close() ?? Promise.resolve(),
  };
}
