import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler } from 'express';

/** Where the minimal middleware's events go: emptied every 200 ms, as a writer's flush would. */
const queued: string[] = [];
setInterval(() => void queued.splice(0), 200).unref();

/**
 * The floor that issue 13 measured auditing against: a middleware that stamps a UUID, listens for
 * 'finish', JSON.stringifies a 14-field event (body, query, user, status, duration) and queues the string.
 * No client IP, sanitizing, route template, error or abort handling: what any request logger must at least do.
 */
export function minimalMiddleware(): RequestHandler {
  return (req: Request & { user?: { sub?: string; preferred_username?: string } }, res, next) => {
    const id = randomUUID();
    const started = performance.now();
    res.setHeader('X-Request-ID', id);
    res.on('finish', () => {
      queued.push(
        JSON.stringify({
          id,
          timestamp: new Date(),
          userId: req.user?.sub,
          username: req.user?.preferred_username,
          method: req.method,
          path: req.originalUrl,
          route: (req.route as { path?: string } | undefined)?.path,
          ip: req.socket.remoteAddress,
          userAgent: req.headers['user-agent'],
          body: req.body as unknown,
          query: req.query,
          status: res.statusCode,
          durationMs: performance.now() - started,
          outcome: res.statusCode < 400 ? 'success' : 'error',
        }),
      );
    });
    next();
  };
}
