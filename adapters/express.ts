import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import onFinished from 'on-finished';
import type { CaptureOptions } from '../src/capture/capture-options.js';
import type { TrustFn } from '../src/capture/client-ip.js';
import { authorsMount, type AuthorsRouterInput } from '../src/authors/authors-service.js';
import type { AuthorsRouterOptions } from '../src/authors/options.js';
import { MATCHED_ROUTE } from '../src/http/types.js';
import { mountCapture, trailHandle, type MountInput, type TrailHandle } from '../src/mount.js';
import { metricsEndpoint, type MetricsRouteOptions } from '../src/metrics/endpoint.js';
import type { AuditTrail } from '../src/trail.js';
import { auditLogMount, type AuditLogRouterInput } from '../src/query/routes.js';
import type { AuditLogRouterOptions } from '../src/query/router-options.js';
import { mountRoutes } from './express-routes.js';
import { hookRouteTemplate, routeTemplate } from './express-route-template.js';

export * from '../src/index.js';
export type { CaptureOptions } from '../src/capture/capture-options.js';
export type { MountOptions as ExpressAuditOptions } from '../src/mount.js';
export type { AuthorsRouterOptions, AuthorRouteName } from '../src/authors/options.js';
export type { AuditLogRouterOptions, AuditLogRequest, AuditLogRouteName } from '../src/query/router-options.js';

export interface ExpressAuditMiddleware extends RequestHandler, TrailHandle {
  /** Mount after your routes: records the error passed to `next(err)`, then passes it on. */
  readonly errorHandler: ErrorRequestHandler;
}

const FORWARDED_ERROR = Symbol('audit-trail.error');
type AuditedRequest = Request & { id?: string; user?: unknown; [FORWARDED_ERROR]?: unknown; [MATCHED_ROUTE]?: string };

/** The matched template: from our own route tables, else from Express's router. */
function routeOf(req: AuditedRequest): string | undefined {
  return req[MATCHED_ROUTE] ?? routeTemplate(req);
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
    hookRouteTemplate(req);
    req.id = pending.requestId;
    res.setHeader('X-Request-ID', pending.requestId);
    const finished = (aborted: boolean) => ({
      request: req,
      user: req.user,
      body: req.body,
      query: req.query,
      route: routeOf(req),
      status: aborted && !res.headersSent ? undefined : res.statusCode,
      error: req[FORWARDED_ERROR],
      aborted,
    });
    onFinished(res, () => capture.end(pending, finished(!res.writableFinished)));
    if (capture.holdsResponses) holdLastByte(res, () => capture.hold(pending, finished(false)));
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

/** `app.get('/metrics', metricsRoute(audit))`: the Prometheus exposition of the audit trail's metrics. */
export function metricsRoute(audit: AuditTrail | TrailHandle, options?: MetricsRouteOptions): RequestHandler {
  const endpoint = metricsEndpoint(audit, options);
  return (req, res) => {
    void endpoint({ method: req.method, headers: req.headers, peer: req.socket.remoteAddress, raw: req }).then((reply) => {
      // Node's own API: Express 4's res.set() and res.send() would rewrite the registry's content type.
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  };
}

/** Strict mode and `block`: `res.end()` waits for the trail before the last byte goes out. */
function holdLastByte(res: Response, hold: () => Promise<void> | undefined): void {
  const end = res.end;
  res.end = function heldEnd(this: Response, ...args: Parameters<Response['end']>) {
    res.end = end;
    const waiting = hold();
    if (!waiting) return end.apply(this, args);
    void waiting.then(() => end.apply(this, args));
    return this;
  } as Response['end'];
}
