import { userFromClaims } from '../capture/user.js';
import type { Logger } from '../logger.js';
import { errorResponse, requestError } from './errors.js';
import { compilePath } from './path.js';
import type { HttpResponse, NeutralRequest, Route, RouteTable } from './types.js';

/** What an adapter knows of a request before a route is chosen. */
type ArrivingRequest = Omit<NeutralRequest, 'params' | 'route'>;

interface RouteMatch {
  /** The matched template relative to the mount, e.g. `/:id`, for the audit row. */
  readonly template: string;
  /** Runs the route; never rejects: every failure becomes a JSON error response. */
  respond(request: ArrivingRequest): Promise<HttpResponse>;
}

export interface Router {
  /** The route for this method, path and Accept header, or undefined to let the host handle the request. */
  match(method: string, path: string, accept: string | undefined): RouteMatch | undefined;
}

/** A route table, compiled once; adapters ask it for a match and translate the response. */
export function createRouter(table: RouteTable, logger: Logger): Router {
  const compiled = table.map((route) => ({ route, matchPath: compilePath(route.path) }));
  return {
    match(method, path, accept) {
      for (const { route, matchPath } of compiled) {
        if (route.method !== method || (route.accepts !== undefined && !accepts(accept, route.accepts))) continue;
        const params = matchPath(path);
        if (params) return { template: route.path, respond: (request) => run(route, { ...request, params, route: { name: route.name, template: route.path } }, logger) };
      }
      return undefined;
    },
  };
}

/** True when the Accept header names the media type itself with a non-zero q; wildcards do not count. */
function accepts(header: string | undefined, mediaType: string): boolean {
  return (header ?? '').split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === mediaType && !parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
  });
}

async function run(route: Route, request: NeutralRequest, logger: Logger): Promise<HttpResponse> {
  try {
    checkRoles(route, request.user);
    checkQuery(route, request.query);
    return await route.handler(request);
  } catch (thrown) {
    return errorResponse(thrown, logger);
  }
}

function checkRoles(route: Route, user: unknown): void {
  const required = route.roles ?? [];
  if (required.length === 0) return;
  const claims = userFromClaims(user);
  if (!claims) throw requestError('unauthenticated', 'this route needs an authenticated user');
  const missing = required.filter((role) => !claims.roles.includes(role));
  if (missing.length > 0) throw requestError('forbidden', `this route needs the role(s): ${missing.join(', ')}`);
}

/** Unknown parameters are refused rather than ignored: a typo such as `perpage` must not pass silently. */
function checkQuery(route: Route, query: URLSearchParams): void {
  const allowed = route.query ?? [];
  const unknown = [...new Set(query.keys())].filter((name) => !allowed.includes(name));
  if (unknown.length === 0) return;
  const accepted = allowed.length === 0 ? 'none' : allowed.join(', ');
  throw requestError('invalid_query', `unknown query parameter(s): ${unknown.join(', ')}; accepted: ${accepted}`);
}
