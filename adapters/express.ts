import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import onFinished from 'on-finished';
import type { CaptureOptions } from '../src/capture/capture-options.js';
import type { TrustFn } from '../src/capture/client-ip.js';
import { authorsMount, type AuthorsRouterInput } from '../src/authors/authors-service.js';
import type { AuthorsRouterOptions } from '../src/authors/options.js';
import { MATCHED_ROUTE } from '../src/http/types.js';
import { mountCapture, trailHandle, type MountInput, type TrailHandle } from '../src/mount.js';
import { auditLogMount, type AuditLogRouterInput } from '../src/query/routes.js';
import type { AuditLogRouterOptions } from '../src/query/router-options.js';
import { mountRoutes } from './express-routes.js';

export * from '../src/index.js';
export type { CaptureOptions } from '../src/capture/capture-options.js';
export type { MountOptions as ExpressAuditOptions } from '../src/mount.js';
export type { AuthorsRouterOptions, AuthorRouteName } from '../src/authors/options.js';
export type { AuditLogRouterOptions, AuditLogRequest } from '../src/query/router-options.js';

export interface ExpressAuditMiddleware extends RequestHandler, TrailHandle {
  /** Mount after your routes: records the error passed to `next(err)`, then passes it on. */
  readonly errorHandler: ErrorRequestHandler;
}

const FORWARDED_ERROR = Symbol('audit-trail.error');
type AuditedRequest = Request & { id?: string; user?: unknown; [FORWARDED_ERROR]?: unknown; [MATCHED_ROUTE]?: string };

/** The matched template: from our own route tables, else from Express's router. */
function routeOf(req: AuditedRequest): string | undefined {
  return req[MATCHED_ROUTE] ?? (req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined);
}

/** `app.use(auditTrail())`: every request becomes one `user_actions` row. Mount it first. */
export function auditTrail(input?: MountInput, captureOptions?: CaptureOptions): ExpressAuditMiddleware {
  const { trail, capture } = mountCapture(input, captureOptions);

  const middleware: RequestHandler = (req: AuditedRequest, res, next) => {
    const pending = capture.begin({
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      peer: req.socket.remoteAddress,
      frameworkTrust: req.app.get('trust proxy fn') as TrustFn | undefined,
    });
    if (!pending) return next();
    req.id = pending.requestId;
    res.setHeader('X-Request-ID', pending.requestId);
    onFinished(res, () =>
      capture.end(pending, {
        request: req,
        user: req.user,
        body: req.body,
        query: req.query,
        route: routeOf(req),
        status: res.headersSent ? res.statusCode : undefined,
        error: req[FORWARDED_ERROR],
        aborted: !res.writableFinished,
      }),
    );
    next();
  };

  const errorHandler: ErrorRequestHandler = (error, req: AuditedRequest, _res, next) => {
    req[FORWARDED_ERROR] = error;
    next(error);
  };

  return Object.assign(middleware, trailHandle(trail), { errorHandler });
}

export type ExpressAuthorsRouter = RequestHandler & TrailHandle;

/**
 * `app.use('/authors', authorsRouter(audit))`: the authors API on the trail's database and Redis.
 * Given options instead of a trail, it opens its own.
 */
export function authorsRouter(
  input?: AuthorsRouterInput,
  options?: AuthorsRouterOptions,
): ExpressAuthorsRouter {
  const { trail, config, routes } = authorsMount(input, options);
  return Object.assign(mountRoutes(routes, { logger: trail.config.logger, user: config.user }), trailHandle(trail));
}

export type ExpressAuditLogRouter = RequestHandler & TrailHandle;

/** `app.use('/audit-log', auditLogRouter(audit, { authorize }))`: the trail, read over HTTP by those you authorize. */
export function auditLogRouter(input: AuditLogRouterInput, options?: AuditLogRouterOptions): ExpressAuditLogRouter {
  const { trail, config, routes } = auditLogMount(input, options);
  return Object.assign(mountRoutes(routes, { logger: trail.config.logger, user: config.user }), trailHandle(trail));
}
