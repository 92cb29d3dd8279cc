import { Readable } from 'node:stream';
import type { Context, Middleware } from 'koa';
import { readJsonBody } from '../src/http/body.js';
import { joinPath, underPrefix } from '../src/http/path.js';
import { createRouter } from '../src/http/router.js';
import type { RouteTable } from '../src/http/types.js';
import type { Logger } from '../src/logger.js';

export interface MountRoutesOptions {
  readonly logger: Logger;
  /** The path the routes live under, e.g. `/authors`; `''` for the root. */
  readonly prefix: string;
  /** `(ctx) => claims`; default `ctx.state.user`. */
  readonly user?: ((ctx: Context) => unknown) | undefined;
}

type ParsedRequest = Context['request'] & { body?: unknown };

/** A route table as a Koa middleware for the paths under `prefix`; anything else goes downstream. */
export function mountRoutes(table: RouteTable, options: MountRoutesOptions): Middleware {
  const router = createRouter(table, options.logger);
  const { prefix } = options;
  return async (ctx, next) => {
    const path = underPrefix(ctx.path, prefix);
    const match = path === undefined ? undefined : router.match(ctx.method, path, ctx.headers.accept);
    if (path === undefined || !match) return next();
    // Where @koa/router leaves the template; the audit capture reads it from there.
    (ctx as { _matchedRoute?: string })._matchedRoute = joinPath(prefix, match.template);
    const request = ctx.request as ParsedRequest;
    const response = await match.respond({
      method: ctx.method,
      path,
      query: new URLSearchParams(ctx.querystring),
      headers: ctx.headers,
      user: options.user ? options.user(ctx) : ctx.state.user,
      mountPath: prefix,
      // Kept on ctx.request.body as a host parser would, so the audit row records it.
      body: async () => (request.body = await readJsonBody(ctx.req, ctx.headers, request.body)),
      raw: ctx,
    });
    ctx.status = response.status;
    ctx.set({ ...response.headers });
    const { content } = response;
    // Koa pipes a stream body and destroys it when the client leaves.
    if (content !== undefined) ctx.body = typeof content === 'string' || content instanceof Uint8Array ? Buffer.from(content) : Readable.from(content);
    else if (response.body !== undefined) ctx.body = response.body;
  };
}
