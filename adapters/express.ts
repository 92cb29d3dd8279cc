import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { CaptureOptions } from '../src/capture/capture-options.js';
import type { AdapterResponse } from '../src/capture/request-capture.js';
import type { TrustFn } from '../src/capture/client-ip.js';
import { authorsFeature } from '../src/authors/authors-service.js';
import { AUTHORS_OPTIONS, type AuthorsRouterOptions } from '../src/authors/options.js';
import { MATCHED_ROUTE } from '../src/http/types.js';
import { changesHandle, type ChangesHandle } from '../src/changes/handle.js';
import { runInRequest, tracksRequests } from '../src/context.js';
import { mountCapture, mountFeature, mountWebSocket, trailHandle, type MountInput, type RouterInput, type TrailHandle } from '../src/mount.js';
import { metricsEndpoint, type MetricsRouteOptions } from '../src/metrics/endpoint.js';
import type { AuditTrail } from '../src/trail.js';
import { auditLogFeature } from '../src/query/routes.js';
import { AUDIT_LOG_OPTIONS, type AuditLogRouterOptions } from '../src/query/router-options.js';
import type { WebSocketAudit } from '../src/ws/audit-websocket.js';
import type { WebSocketAuditOptions } from '../src/ws/options.js';
import type { WebSocketServerLike } from '../src/ws/socket-types.js';
import { mountRoutes } from './express-routes.js';
import { follow, routeTemplate, stateOf, type RequestState } from './express-request-state.js';

export * from '../src/index.js';
export type { CaptureOptions } from '../src/capture/capture-options.js';
export type { MountOptions as ExpressAuditOptions } from '../src/mount.js';
export type { AuthorsRouterOptions, AuthorRouteName } from '../src/authors/options.js';
export type { AuditLogRouterOptions, AuditLogRequest, AuditLogRouteName } from '../src/query/router-options.js';
export type { WebSocketAudit } from '../src/ws/audit-websocket.js';
export type { WebSocketAuditOptions } from '../src/ws/options.js';
export type { WebSocketServerLike } from '../src/ws/socket-types.js';

declare module 'express-serve-static-core' {
  interface Request {
    /**
     * The request id the audit recorded, also sent as `X-Request-ID`: a valid incoming one, else a new
     * UUID. Undefined on a request the audit does not record (a `skip` path), unless you set it yourself.
     */
    id: string;
  }
}

export interface ExpressAuditMiddleware extends RequestHandler, TrailHandle, ChangesHandle {
  /** Mount after your routes: records the error passed to `next(err)`, then passes it on. */
  readonly errorHandler: ErrorRequestHandler;
}

type AuditedRequest = Request & { user?: unknown; [MATCHED_ROUTE]?: string };

/** The matched template: from our own route tables, else from Express's router. */
function routeOf(req: AuditedRequest): string | undefined {
  return req[MATCHED_ROUTE] ?? routeTemplate(req);
}

/** What the capture reads once the response is done, or about to be. */
function finished(req: AuditedRequest, state: RequestState, res: Response, aborted: boolean): AdapterResponse {
  return {
    request: req,
    user: req.user,
    body: req.body,
    query: req.query,
    route: routeOf(req),
    status: aborted && !res.headersSent ? undefined : res.statusCode,
    error: state.error,
    aborted,
  };
}

/** A response that emitted 'close', read for its row: it was aborted if it did not finish first. */
function readClosed(res: Response): AdapterResponse {
  const req = res.req as AuditedRequest;
  return finished(req, stateOf(req)!, res, !res.writableFinished);
}

/** `app.use(auditTrail())`: every request becomes one `user_actions` row. Mount it first. */
export function auditTrail(input?: MountInput, captureOptions?: CaptureOptions): ExpressAuditMiddleware {
  const { trail, capture } = mountCapture(input, captureOptions);
  const userOf = capture.userReader((req) => (req as AuditedRequest).user);

  /**
   * The one completion listener, shared by every request of this mount. A response emits 'close' once:
   * after 'finish' when it completed, or when its connection ended first (then it was aborted).
   */
  function closed(this: Response) {
    capture.end(stateOf(this.req)!.pending, this, readClosed);
  }

  const middleware: RequestHandler = (req: AuditedRequest, res, next) => {
    // An upgrade that express-ws runs through the app has a stand-in response with no socket: it never finishes,
    // and would hold close() for closeTimeoutMs. auditWebSocket records that connection.
    if (!res.socket) return next();
    const pending = capture.begin({
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      peer: req.socket.remoteAddress,
      // What app.get('trust proxy fn') answers (settings inherit from a parent app), read without the call.
      frameworkTrust: req.app.settings['trust proxy fn'] as TrustFn | undefined,
    });
    if (!pending) return next();
    res.setHeader('X-Request-ID', pending.requestId);
    const state: RequestState = { pending, route: undefined, routeBase: undefined, error: undefined };
    follow(req, state);
    res.on('close', closed);
    if (capture.holdsResponses) holdLastByte(res, () => capture.hold(pending, finished(req, state, res, false)));
    // Model changes made from here on, and by work started from here, know their request (src/context.ts).
    if (tracksRequests()) runInRequest(pending, req, userOf, next);
    else next();
  };

  const errorHandler: ErrorRequestHandler = (error, req: AuditedRequest, _res, next) => {
    const state = stateOf(req);
    if (state) state.error = error;
    next(error);
  };

  return Object.assign(middleware, trailHandle(trail), changesHandle(trail, capture), { errorHandler });
}

export type ExpressAuthorsRouter = RequestHandler & TrailHandle;

/**
 * `app.use('/authors', authorsRouter(audit))`: the authors API on the trail's database and Redis.
 * Given options instead of a trail, it opens its own.
 */
export function authorsRouter(input?: RouterInput<AuthorsRouterOptions>, options?: AuthorsRouterOptions): ExpressAuthorsRouter {
  const { trail, config, routes } = mountFeature(input, options, AUTHORS_OPTIONS, authorsFeature);
  return Object.assign(mountRoutes(routes, { logger: trail.config.logger, user: config.user }), trailHandle(trail));
}

export type ExpressAuditLogRouter = RequestHandler & TrailHandle;

/** `app.use('/audit-log', auditLogRouter(audit, { authorize }))`: the trail, read over HTTP by those you authorize. */
export function auditLogRouter(input: RouterInput<AuditLogRouterOptions>, options?: AuditLogRouterOptions): ExpressAuditLogRouter {
  const { trail, config, routes } = mountFeature(input, options, AUDIT_LOG_OPTIONS, auditLogFeature);
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

/**
 * `auditWebSocket(wss, audit, { actions })`: every message the `ws` server handles becomes a `user_actions` row.
 * The user is the upgrade request's `req.user` (set by your upgrade handler, or by your middleware under express-ws).
 */
export function auditWebSocket(wss: WebSocketServerLike, audit: MountInput, options?: WebSocketAuditOptions): WebSocketAudit {
  return mountWebSocket(wss, audit, options, (req) => (req as { user?: unknown }).user);
}
