import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { auditLogRouter as expressAuditLog, auditTrail as expressAudit } from '../../adapters/express.js';
import { auditLogRouter as koaAuditLog, auditTrail as koaAudit } from '../../adapters/koa.js';
import type { AuditLogRequest } from '../../src/query/router-options.js';
import type { AuditTrail } from '../../src/trail.js';
import type { AuthorsHost } from '../authors/host-apps.js';
import { listen, claimsOf } from '../support/listen.js';

export const AUDIT_LOG_MOUNT = '/audit-log';
export const AUDITOR = { sub: 'u-auditor', preferred_username: 'auditor', realm_access: { roles: ['audit-reader'] } };
export const OUTSIDER = { sub: 'u-outsider', preferred_username: 'outsider', realm_access: { roles: ['get-authors'] } };

const readers = ({ roles }: AuditLogRequest) => roles.includes('audit-reader');
type Authorize = (request: AuditLogRequest) => boolean;

export interface AuditLogHostAdapter {
  readonly name: string;
  /** `viewer` turns the built-in page on. */
  start(trail: AuditTrail, authorize?: Authorize, viewer?: boolean): Promise<AuthorsHost>;
}

function expressHost(name: string, express: typeof express5): AuditLogHostAdapter {
  return {
    name,
    start(trail, authorize = readers, viewer = false) {
      const app = express();
      app.use(expressAudit(trail));
      app.use((req, _res, next) => {
        (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
        next();
      });
      app.use(AUDIT_LOG_MOUNT, expressAuditLog(trail, { authorize, viewer }));
      return listen(app);
    },
  };
}

function koaHost(name: string, Koa: typeof Koa3): AuditLogHostAdapter {
  return {
    name,
    start(trail, authorize = readers, viewer = false) {
      const app = new Koa();
      app.silent = true;
      app.use(koaAudit(trail));
      app.use(async (ctx, next) => {
        ctx.state.user = claimsOf(ctx.headers['x-test-user']);
        await next();
      });
      app.use(koaAuditLog(trail, { authorize, prefix: AUDIT_LOG_MOUNT, viewer }));
      return listen(app.callback());
    },
  };
}

export const AUDIT_LOG_HOSTS: readonly AuditLogHostAdapter[] = [
  expressHost('express 4', express4),
  expressHost('express 5', express5),
  koaHost('koa 2', Koa2),
  koaHost('koa 3', Koa3),
];
