import { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { PendingRequest } from '../src/capture/request-capture.js';

type Route = Request['route'];

/** What the audit keeps on one Express request: a plain object of one shape, cheap to write to. */
export interface RequestState {
  readonly pending: PendingRequest;
  /** `req.route` as Express last set it, and `req.baseUrl` at that moment. */
  route: Route | undefined;
  routeBase: string | undefined;
  /** The error passed to `next(err)`, as the error handler saw it. */
  error: unknown;
}

export const STATE = Symbol('audit-trail.state');
/** `req.route` of a request the audit does not follow (a skipped path, an app mounted without it). */
const UNAUDITED_ROUTE = Symbol('audit-trail.route');

export type StatefulRequest = Request & { [STATE]?: RequestState; [UNAUDITED_ROUTE]?: Route };

const hooked = new WeakSet<object>();
let lastPrototype: object | null = null;

/**
 * Makes Express note `req.baseUrl` whenever it sets `req.route`, so that a handler that throws, rejects or
 * calls `next(err)` under `app.use('/api', router)` is still recorded as `/api/...`: Express restores
 * `baseUrl` as the error leaves the router. The accessor sits on Express's own request prototype (the one
 * whose prototype is IncomingMessage's), which every app and sub-app of that Express copy inherits from,
 * so it is installed once, not per request; it writes to the request's state object, never adding
 * properties to the request itself, which measured several µs a request.
 */
export function hookRouteTemplate(req: Request): void {
  const appPrototype = Object.getPrototypeOf(req) as object | null;
  if (appPrototype === lastPrototype) return;
  lastPrototype = appPrototype;
  let proto = appPrototype;
  while (proto !== null && Object.getPrototypeOf(proto) !== IncomingMessage.prototype) proto = Object.getPrototypeOf(proto) as object | null;
  if (proto === null || hooked.has(proto)) return;
  hooked.add(proto);
  if (Object.getOwnPropertyDescriptor(proto, 'route') !== undefined) return; // someone else's: leave it be
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: false,
    get(this: StatefulRequest) {
      return this[STATE]?.route ?? this[UNAUDITED_ROUTE];
    },
    set(this: StatefulRequest, route: Route) {
      const state = this[STATE];
      if (state === undefined) {
        this[UNAUDITED_ROUTE] = route;
        return;
      }
      state.route = route;
      state.routeBase = this.baseUrl;
    },
  });
}

/** The matched template, e.g. `/api/v1/items/:id`, with the base that held when the route matched. */
export function routeTemplate(req: StatefulRequest): string | undefined {
  const route = req.route as { path?: unknown } | undefined;
  if (!route) return undefined;
  return `${req[STATE]?.routeBase ?? req.baseUrl}${String(route.path)}`;
}
