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

/**
 * Each audited request's state, beside the request rather than on it. Express gives every request its
 * app's prototype with Object.setPrototypeOf, and V8 then shares no map between two requests that gain a
 * property: each one added builds a new hidden class, a few µs a request (two such stores were a tenth of
 * the capture's cost).
 */
const states = new WeakMap<Request, RequestState>();

/** `req.route` and `req.id` of a request the audit does not follow (a skipped path, an app mounted without it), or set by the host. */
const OWN_ROUTE = Symbol('audit-trail.route');
const OWN_ID = Symbol('audit-trail.id');

type HookedRequest = Request & { [OWN_ROUTE]?: Route; [OWN_ID]?: unknown };

export function stateOf(req: Request): RequestState | undefined {
  return states.get(req);
}

export function follow(req: Request, state: RequestState): void {
  hookRequestPrototype(req);
  states.set(req, state);
}

const hooked = new WeakSet<object>();
let lastPrototype: object | null = null;

/**
 * Serves `req.id` and `req.route` from the state, through accessors on Express's own request prototype
 * (the one whose prototype is IncomingMessage's), which every app and sub-app of that Express copy
 * inherits from: installed once, never a property added per request. Noting `req.baseUrl` whenever Express
 * sets `req.route` means that a handler that throws, rejects or calls `next(err)` under
 * `app.use('/api', router)` is still recorded as `/api/...`: Express restores `baseUrl` as the error leaves
 * the router.
 */
function hookRequestPrototype(req: Request): void {
  const appPrototype = Object.getPrototypeOf(req) as object | null;
  if (appPrototype === lastPrototype) return;
  lastPrototype = appPrototype;
  let proto = appPrototype;
  while (proto !== null && Object.getPrototypeOf(proto) !== IncomingMessage.prototype) proto = Object.getPrototypeOf(proto) as object | null;
  if (proto === null || hooked.has(proto)) return;
  hooked.add(proto);
  // Someone else's accessor is left be: the request id is then only in the header and the row.
  if (Object.getOwnPropertyDescriptor(proto, 'id') === undefined) {
    Object.defineProperty(proto, 'id', {
      configurable: true,
      enumerable: false,
      get(this: HookedRequest) {
        return OWN_ID in this ? this[OWN_ID] : states.get(this)?.pending.requestId;
      },
      set(this: HookedRequest, id: unknown) {
        this[OWN_ID] = id;
      },
    });
  }
  if (Object.getOwnPropertyDescriptor(proto, 'route') === undefined) {
    Object.defineProperty(proto, 'route', {
      configurable: true,
      enumerable: false,
      get(this: HookedRequest) {
        return states.get(this)?.route ?? this[OWN_ROUTE];
      },
      set(this: HookedRequest, route: Route) {
        const state = states.get(this);
        if (state === undefined) {
          this[OWN_ROUTE] = route;
          return;
        }
        state.route = route;
        state.routeBase = this.baseUrl;
      },
    });
  }
}

/** The matched template, e.g. `/api/v1/items/:id`, with the base that held when the route matched. */
export function routeTemplate(req: Request): string | undefined {
  const route = req.route as { path?: unknown } | undefined;
  if (!route) return undefined;
  return `${states.get(req)?.routeBase ?? req.baseUrl}${String(route.path)}`;
}
