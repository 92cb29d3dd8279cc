import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request as our routes see it, whatever framework carried it. Adapters build it; handlers never
 * touch req, res or ctx.
 */
export interface NeutralRequest {
  readonly method: string;
  /** The path under the mount point, e.g. `/42`. */
  readonly path: string;
  /** The `:name` segments of the matched route, URI-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The route the router matched: a rule about which route may run should test this, not `path`,
   * which is as the client sent it (a trailing slash, any case the framework let through).
   */
  readonly route: MatchedRoute;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The host's authenticated user (claims), if any. */
  readonly user: unknown;
  /** Where the routes are mounted, e.g. `/authors`; `''` at the root. */
  readonly mountPath: string;
  /** The JSON body: what the host's body parser produced, or read and parsed on first call. */
  body(): Promise<unknown>;
  /** The framework's own request object (Express `req`, Koa `ctx`), an escape hatch. */
  readonly raw: unknown;
}

interface MatchedRoute {
  /** The route's stable name in its table, e.g. `reports.failed`. */
  readonly name: string;
  /** Its template relative to the mount, e.g. `/reports/failed` or `/:id`. */
  readonly template: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Sent as JSON; no body when undefined. */
  readonly body?: unknown;
  /**
   * Sent as it is instead of `body`, with the content type set in `headers`: a page, an asset, or an
   * export streamed chunk by chunk (the adapter pipes it with backpressure and stops it if the client leaves).
   */
  readonly content?: string | Uint8Array | AsyncIterable<string>;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (request: NeutralRequest) => Promise<HttpResponse>;

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  /** Stable across paths and versions, for rules about who may call it: `list`, `reports.failed`. */
  readonly name: string;
  readonly method: HttpMethod;
  /** A template such as `/` or `/:id`, relative to the mount point. */
  readonly path: string;
  readonly handler: Handler;
  /** Query parameters the route understands; any other one is answered with 400 `invalid_query`. */
  readonly query?: readonly string[];
  /** Roles the user must all hold; none means the route is open. */
  readonly roles?: readonly string[];
  /**
   * A media type the client must name in its Accept header for this route to match, e.g. `text/html`:
   * a browser's page load then reaches the page while `curl` and `fetch` on the same path reach the API.
   */
  readonly accepts?: string;
}

export type RouteTable = readonly Route[];

/**
 * Where an adapter leaves the matched route template (`/authors/:id`) on the framework's request, so
 * the audit capture records it. Koa has `ctx._matchedRoute` for this; Express's `req.route` is only set
 * by its own router, so our Express mounts set this symbol instead. A registered symbol, so two copies
 * of the package still agree.
 */
export const MATCHED_ROUTE = Symbol.for('audit-trail.matched-route');
