import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import { readJsonBody } from '../src/http/body.js';
import { joinPath, splitUrl } from '../src/http/path.js';
import { createRouter } from '../src/http/router.js';
import { MATCHED_ROUTE, type HttpResponse, type RouteTable } from '../src/http/types.js';
import { messageOf } from '../src/errors.js';
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
    const match = router.match(req.method, path, req.headers.accept);
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
      .then((response) => send(res, response, options.logger))
      .catch(next);
  };
}

async function send(res: Response, response: HttpResponse, logger: Logger): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  const { content } = response;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    res.end(content);
    return;
  }
  if (content !== undefined) {
    // Headers are gone by the time a chunk fails: all that is left is to cut the response short. A client
    // that leaves early is no failure.
    await pipeline(Readable.from(content), res).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error(`streamed response failed: ${messageOf(error)}`);
    });
    return;
  }
  if (response.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(response.body));
}
