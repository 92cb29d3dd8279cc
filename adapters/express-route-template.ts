import { IncomingMessage } from 'node:http';
import type { Request } from 'express';

const ROUTE = Symbol('audit-trail.route');
/** `req.baseUrl` as it was when the route matched: Express restores it as an error leaves a router. */
const ROUTE_BASE = Symbol('audit-trail.routeBase');

type RouteHolder = { [ROUTE]?: Request['route']; [ROUTE_BASE]?: string; baseUrl?: string };

const hooked = new WeakSet<object>();

/**
 * Makes Express note `req.baseUrl` whenever it sets `req.route`, so that a handler that throws, rejects or
 * calls `next(err)` under `app.use('/api', router)` is still recorded as `/api/...`. The accessor sits on
 * Express's own request prototype (the one whose prototype is IncomingMessage's), which every app and
 * sub-app of that Express copy inherits from, so it is installed once, not per request.
 */
export function hookRouteTemplate(req: Request): void {
  let proto: object | null = Object.getPrototypeOf(req) as object | null;
  while (proto !== null && Object.getPrototypeOf(proto) !== IncomingMessage.prototype) proto = Object.getPrototypeOf(proto) as object | null;
  if (proto === null || hooked.has(proto)) return;
  hooked.add(proto);
  if (Object.getOwnPropertyDescriptor(proto, 'route') !== undefined) return; // someone else's: leave it be
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: false,
    get(this: RouteHolder) {
      return this[ROUTE];
    },
    set(this: RouteHolder, route: Request['route']) {
      this[ROUTE] = route;
      this[ROUTE_BASE] = this.baseUrl;
    },
  });
}

/** The matched template, e.g. `/api/v1/items/:id`, with the base that held when the route matched. */
export function routeTemplate(req: Request): string | undefined {
  const route = req.route as { path?: unknown } | undefined;
  if (!route) return undefined;
  return `${(req as RouteHolder)[ROUTE_BASE] ?? req.baseUrl}${String(route.path)}`;
}
