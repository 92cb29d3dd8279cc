import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { bodyParser } from '@koa/bodyparser';
import { auditTrail as expressAudit, authorsRouter as expressAuthors } from '../../adapters/express.js';
import { auditTrail as koaAudit, authorsRouter as koaAuthors } from '../../adapters/koa.js';
import type { AuthorsRouterOptions } from '../../src/authors/options.js';
import type { AuditTrail } from '../../src/trail.js';
import { listen, claimsOf } from '../support/listen.js';

/** The mounts every host app has, so one suite can run on each framework. */
export const MOUNTS = {
  /** No host body parser: the router parses its own JSON. */
  plain: '/authors',
  /** Behind the host's own JSON body parser. */
  parsed: '/parsed/authors',
  /** With the reference's role checks. */
  guarded: '/guarded/authors',
} as const;

const REFERENCE_ROLES: AuthorsRouterOptions['roles'] = {
  list: ['get-authors'],
  get: ['get-authors'],
  create: ['create-author'],
  update: ['update-author'],
  delete: ['delete-author'],
};

export interface AuthorsHost {
  readonly url: string;
  close(): Promise<void>;
}

export interface AuthorsHostAdapter {
  readonly name: string;
  start(trail: AuditTrail): Promise<AuthorsHost>;
}

function expressHost(name: string, express: typeof express5): AuthorsHostAdapter {
  return {
    name,
    start(trail) {
      const audit = expressAudit(trail);
      const app = express();
      app.use(audit);
      app.use((req, _res, next) => {
        (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
        next();
      });
      app.use(MOUNTS.plain, expressAuthors(trail));
      app.use('/parsed', express.json());
      app.use(MOUNTS.parsed, expressAuthors(trail));
      app.use(MOUNTS.guarded, expressAuthors(trail, { roles: REFERENCE_ROLES }));
      app.use(audit.errorHandler);
      return listen(app);
    },
  };
}

function koaHost(name: string, Koa: typeof Koa3): AuthorsHostAdapter {
  return {
    name,
    start(trail) {
      const app = new Koa();
      app.silent = true;
      const parser = bodyParser();
      app.use(koaAudit(trail));
      app.use(async (ctx, next) => {
        ctx.state.user = claimsOf(ctx.headers['x-test-user']);
        await next();
      });
      app.use(koaAuthors(trail, { prefix: MOUNTS.plain }));
      app.use((ctx, next) => (ctx.path.startsWith('/parsed/') ? parser(ctx, next) : next()));
      app.use(koaAuthors(trail, { prefix: MOUNTS.parsed }));
      app.use(koaAuthors(trail, { prefix: MOUNTS.guarded, roles: REFERENCE_ROLES }));
      return listen(app.callback());
    },
  };
}

export const AUTHORS_HOSTS: readonly AuthorsHostAdapter[] = [
  expressHost('express 4', express4),
  expressHost('express 5', express5),
  koaHost('koa 2', Koa2),
  koaHost('koa 3', Koa3),
];
