import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { auditTrail as expressAudit } from '../../adapters/express.js';
import { auditTrail as koaAudit } from '../../adapters/koa.js';
import type { AuditTrail } from '../../src/trail.js';
import { claimsOf, listen, type ListeningServer } from '../support/listen.js';
import type { hostModels } from './host.js';

type Models = ReturnType<typeof hostModels>;

/** What each host does, framework aside: a request that changes two models, and one whose work outlives it. */
function work(models: Models) {
  const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));
  const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    /** Renames the invoice's customer and re-prices the invoice. */
    async update(id: string, body: { amount: number; customer: string }) {
      const invoice = (await models.Invoice.findByPk(id))!;
      await immediate();
      await invoice.update({ amount: body.amount });
      const customer = (await models.Customer.findOne({ where: { name: `c-${id}` } }))!;
      await tick();
      await customer.update({ password: body.customer });
    },
    /** Answers at once; the writes come later, from a nextTick, a setImmediate, a promise chain and a timer. */
    later(id: string) {
      process.nextTick(() => void models.Invoice.update({ amount: 1 }, { where: { id } }));
      setImmediate(() => void Promise.resolve().then(() => models.Invoice.update({ amount: 2 }, { where: { id } })));
      setTimeout(() => void models.Invoice.update({ amount: 3 }, { where: { id } }), 100);
    },
  };
}

export interface RequestHost {
  readonly name: string;
  start(trail: AuditTrail, models: Models): Promise<ListeningServer>;
}

function expressHost(name: string, express: typeof express5): RequestHost {
  return {
    name,
    async start(trail, models) {
      const audit = expressAudit(trail);
      audit.trackChanges(models.sequelize, { models: ['Invoice', 'Customer'] });
      const jobs = work(models);
      const app = express();
      app.use(audit);
      app.use((req, _res, next) => {
        (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
        next();
      });
      app.use(express.json());
      app.put('/invoices/:id', (req, res, next) => void jobs.update(req.params.id!, req.body as never).then(() => res.json({ ok: true }), next));
      app.post('/later/:id', (req, res) => {
        jobs.later(req.params.id!);
        res.json({ ok: true });
      });
      return listen(app);
    },
  };
}

const koaHost: RequestHost = {
  name: 'koa',
  async start(trail, models) {
    const audit = koaAudit(trail);
    audit.trackChanges(models.sequelize, { models: ['Invoice', 'Customer'] });
    const jobs = work(models);
    const app = new Koa3();
    const router = new Router();
    router.put('/invoices/:id', async (ctx) => {
      await jobs.update(ctx.params.id!, ctx.request.body as never);
      ctx.body = { ok: true };
    });
    router.post('/later/:id', (ctx) => {
      jobs.later(ctx.params.id!);
      ctx.body = { ok: true };
    });
    app.use(audit);
    app.use(async (ctx, next) => {
      ctx.state.user = claimsOf(ctx.headers['x-test-user']);
      await next();
    });
    app.use(bodyParser());
    app.use(router.routes());
    return listen(app.callback());
  },
};

export const REQUEST_HOSTS: readonly RequestHost[] = [expressHost('express5', express5), expressHost('express4', express4 as unknown as typeof express5), koaHost];
