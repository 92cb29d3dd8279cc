import type { Context, Middleware } from 'koa';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaptureOptions } from '../src/capture/capture-options.js';
import type { AdapterResponse, PendingRequest } from '../src/capture/request-capture.js';
import { compileTrust, type TrustFn } from '../src/capture/client-ip.js';
import { authorsFeature } from '../src/authors/authors-service.js';
import { KOA_AUTHORS_OPTIONS, type KoaAuthorsRouterOptions } from '../src/authors/options.js';
import { mountCapture, mountFeature, mountWebSocket, trailHandle, type MountInput, type RouterInput, type TrailHandle } from '../src/mount.js';
import { changesHandle, type ChangesHandle } from '../src/changes/handle.js';
import { runInRequest, tracksRequests } from '../src/context.js';
import { AuditTrailError } from '../src/errors.js';
import { metricsEndpoint, type MetricsRouteOptions } from '../src/metrics/endpoint.js';
import type { AuditTrail } from '../src/trail.js';
import { auditLogFeature } from '../src/query/routes.js';
import { KOA_AUDIT_LOG_OPTIONS, type KoaAuditLogRouterOptions } from '../src/query/router-options.js';
import type { WebSocketAudit } from '../src/ws/audit-websocket.js';
import type { WebSocketAuditOptions } from '../src/ws/options.js';
import type { WebSocketServerLike } from '../src/ws/socket-types.js';
import { mountRoutes } from './koa-routes.js';

export * from '../src/index.js';
export type { CaptureOptions } from '../src/capture/capture-options.js';
export type { MountOptions as KoaAuditOptions } from '../src/mount.js';
export type { AuthorsRouterOptions, KoaAuthorsRouterOptions, AuthorRouteName } from '../src/authors/options.js';
export type { AuditLogRouterOptions, KoaAuditLogRouterOptions, AuditLogRequest, AuditLogRouteName } from '../src/query/router-options.js';
export type { WebSocketAudit } from '../src/ws/audit-websocket.js';
export type { WebSocketAuditOptions } from '../src/ws/options.js';
export type { WebSocketServerLike } from '../src/ws/socket-types.js';

export type KoaAuditMiddleware = Middleware & TrailHandle & ChangesHandle;

/** What the audit keeps per request, on the response, where its one completion listener finds it. */
interface RequestState {
  readonly pending: PendingRequest;
  readonly ctx: Context;
  error: unknown;
}

const STATE = Symbol('audit-trail.state');
type StatefulResponse = ServerResponse & { [STATE]?: RequestState };
/** An upgrade request that went through Koa (koa-easy-ws): its context, where `ctx.state.user` is. */
const UPGRADE_CONTEXT = Symbol('audit-trail.upgrade-context');
type UpgradeRequest = IncomingMessage & { [UPGRADE_CONTEXT]?: Context; user?: unknown };

/** Koa's `app.proxy` and `app.maxIpsCount`, in trust-proxy terms, compiled once per setting, not per request. */
function trustCompiler(warn: (message: string) => void): (ctx: Context) => TrustFn | undefined {
  const compiled = new WeakMap<object, { maxIpsCount: number; trust: TrustFn }>();
  return ({ app }) => {
    if (!app.proxy) return undefined;
    const known = compiled.get(app);
    if (known?.maxIpsCount === app.maxIpsCount) return known.trust;
    const trust = compileTrust(app.maxIpsCount > 0 ? app.maxIpsCount : true, warn);
    compiled.set(app, { maxIpsCount: app.maxIpsCount, trust });
    return trust;
  };
}

function finished({ ctx, error }: RequestState, status: number | undefined, aborted: boolean): AdapterResponse {
  return {
    request: ctx,
    user: ctx.state.user,
    body: (ctx.request as { body?: unknown }).body,
    query: ctx.query,
    route: (ctx as { _matchedRoute?: string })._matchedRoute,
    status,
    error,
    aborted,
  };
}

/** A response that emitted 'close', read for its row: it was aborted if it did not finish first. */
function readClosed(res: StatefulResponse): AdapterResponse {
  return finished(res[STATE]!, res.headersSent ? res.statusCode : undefined, !res.writableFinished);
}

/** The status Koa's own error handling will send for a thrown error. */
function statusOfThrown(thrown: unknown): number {
  const { status, statusCode, code } = (thrown ?? {}) as { status?: unknown; statusCode?: unknown; code?: unknown };
  const candidate = status ?? statusCode;
  if (typeof candidate === 'number' && candidate >= 400 && candidate < 600) return candidate;
  return code === 'ENOENT' ? 404 : 500;
}

/**
 * Koa answers a thrown error with none of the headers set so far, only the error's own `headers` (as
 * http-errors sets them): the request id goes there, so a 500 carries it as Express's does.
 */
function keepRequestId(thrown: unknown, requestId: string): void {
  if (thrown === null || typeof thrown !== 'object') return;
  const error = thrown as { headers?: Record<string, unknown> };
  try {
    error.headers = { ...error.headers, 'X-Request-ID': requestId };
  } catch {
    // A frozen error or a read-only `headers`: the id stays in the row and the host's logs.
  }
}

/** `app.use(auditTrail())`: every request becomes one `user_actions` row. Mount it first. */
export function auditTrail(input?: MountInput, captureOptions?: CaptureOptions): KoaAuditMiddleware {
  const { trail, capture } = mountCapture(input, captureOptions);
  const frameworkTrust = trustCompiler((message) => trail.config.logger.warn(message));
  const userOf = capture.userReader((ctx) => (ctx as Context).state.user);

  /** The one completion listener, shared by every request: 'close' follows 'finish', or ends an aborted response. */
  function closed(this: StatefulResponse) {
    capture.end(this[STATE]!.pending, this, readClosed);
  }

  const middleware: Middleware = async (ctx, next) => {
    if (ctx.req.headers.upgrade !== undefined) (ctx.req as UpgradeRequest)[UPGRADE_CONTEXT] = ctx;
    // An upgrade run through the app with a stand-in response (no socket) never finishes, and would hold
    // close() for closeTimeoutMs; auditWebSocket records that connection.
    if (!ctx.res.socket) return next();
    const pending = capture.begin({
      method: ctx.method,
      url: ctx.originalUrl,
      headers: ctx.headers,
      peer: ctx.req.socket.remoteAddress,
      frameworkTrust: frameworkTrust(ctx),
    });
    if (!pending) return next();
    ctx.state.requestId = pending.requestId;
    ctx.set('X-Request-ID', pending.requestId);
    const state: RequestState = { pending, ctx, error: undefined };
    const res: StatefulResponse = ctx.res;
    res[STATE] = state;
    res.on('close', closed);
    try {
      // Model changes made from here on, and by work started from here, know their request (src/context.ts).
      await (tracksRequests() ? runInRequest(pending, ctx, userOf, next) : next());
    } catch (thrown) {
      state.error = thrown;
      keepRequestId(thrown, pending.requestId);
      // Strict mode and `block`: Koa writes the response after this middleware settles, so wait here.
      if (capture.holdsResponses) await capture.hold(pending, finished(state, statusOfThrown(thrown), false));
      throw thrown;
    }
    if (capture.holdsResponses) await capture.hold(pending, finished(state, ctx.status, false));
  };

  return Object.assign(middleware, trailHandle(trail), changesHandle(trail, capture));
}

export type KoaAuthorsRouter = Middleware & TrailHandle;

/**
 * `app.use(authorsRouter(audit, { prefix: '/authors' }))`: the authors API on the trail's database and
 * Redis. Given options instead of a trail, it opens its own.
 */
export function authorsRouter(input?: RouterInput<KoaAuthorsRouterOptions>, options?: KoaAuthorsRouterOptions): KoaAuthorsRouter {
  const { trail, config, routes } = mountFeature(input, options, KOA_AUTHORS_OPTIONS, authorsFeature);
  const middleware = mountRoutes(routes, { logger: trail.config.logger, prefix: config.prefix, user: config.user });
  return Object.assign(middleware, trailHandle(trail));
}

export type KoaAuditLogRouter = Middleware & TrailHandle;

/** `app.use(auditLogRouter(audit, { authorize, prefix: '/audit-log' }))`: the trail, read over HTTP by those you authorize. */
export function auditLogRouter(input: RouterInput<KoaAuditLogRouterOptions>, options?: KoaAuditLogRouterOptions): KoaAuditLogRouter {
  const { trail, config, routes } = mountFeature(input, options, KOA_AUDIT_LOG_OPTIONS, auditLogFeature);
  const middleware = mountRoutes(routes, { logger: trail.config.logger, prefix: config.prefix, user: config.user });
  return Object.assign(middleware, trailHandle(trail));
}

export interface KoaMetricsRouteOptions extends MetricsRouteOptions {
  /** Where the middleware answers. Default: `/metrics`. */
  path?: string;
}

/** `app.use(metricsRoute(audit))`: answers `GET /metrics` with the Prometheus exposition; passes anything else on. */
export function metricsRoute(audit: AuditTrail | TrailHandle, options: KoaMetricsRouteOptions = {}): Middleware {
  const { path = '/metrics', ...endpointOptions } = options;
  if (typeof path !== 'string' || !path.startsWith('/')) throw new AuditTrailError('invalid_option', `path must start with "/"; got ${String(path)}.`);
  const endpoint = metricsEndpoint(audit, endpointOptions);
  return async (ctx, next) => {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const reply = await endpoint({ method: ctx.method, headers: ctx.headers, peer: ctx.req.socket.remoteAddress, raw: ctx });
    ctx.status = reply.status;
    ctx.set(reply.headers);
    ctx.body = reply.body;
  };
}

/**
 * `auditWebSocket(wss, audit, { actions })`: every message the `ws` server handles becomes a `user_actions` row.
 * The user is `ctx.state.user` when the upgrade went through Koa and this package's middleware (koa-easy-ws),
 * else the upgrade request's `req.user`, set by your upgrade handler.
 */
export function auditWebSocket(wss: WebSocketServerLike, audit: MountInput, options?: WebSocketAuditOptions): WebSocketAudit {
  return mountWebSocket(wss, audit, options, (req: UpgradeRequest) => req[UPGRADE_CONTEXT]?.state.user ?? req.user);
}
