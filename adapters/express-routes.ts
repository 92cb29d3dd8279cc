import type { Request, RequestHandler, Response } from 'express';
import { readJsonBody } from '../src/http/body.js';
import { joinPath, splitUrl } from '../src/http/path.js';
import { createRouter } from '../src/http/router.js';
import { MATCHED_ROUTE, type HttpResponse, type RouteTable } from '../src/http/types.js';
import type { Logger } from '../src/logger.js';

export interface MountRoutesOptions {
  readonly logger: Logger;
  /** `(req) => claims`; default `req.user`. */
  readonly user?: ((req: Request) => unknown) | undefined;
}

type RoutedRequest = Request & { user?: unknown; [MATCHED_ROUTE]?: string };

/**
 * A route table as a plain Express middleware for `app.use(path, …)`, on Express 4 and 5 alike: it
 * matches `req.url` (relative to the mount) itself and passes anything else to `next()`.
 */
export function mountRoutes(table: RouteTable, options: MountRoutesOptions): RequestHandler {
  const router = createRouter(table, options.logger);
  return (req: RoutedRequest, res, next) => {
    const { path, query } = splitUrl(req.url);
    const match = router.match(req.method, path);
    if (!match) return next();
    req[MATCHED_ROUTE] = joinPath(req.baseUrl, match.template);
    match
      .respond({
        method: req.method,
        path,
        query,
        headers: req.headers,
        user: options.user ? options.user(req) : req.user,
        mountPath: req.baseUrl,
        // Kept on req.body as a host parser would, so the audit row records it.
        body: async () => (req.body = await readJsonBody(req, req.headers, req.body)),
        raw: req,
      })
      .then((response) => send(res, response))
      .catch(next);
  };
}

function send(res: Response, response: HttpResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(response.body));
}
