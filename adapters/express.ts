import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import onFinished from 'on-finished';
import type { CaptureOptions } from '../src/capture/capture-options.js';
import type { TrustFn } from '../src/capture/client-ip.js';
import { mountCapture, trailHandle, type MountInput, type TrailHandle } from '../src/mount.js';

export * from '../src/index.js';
export type { CaptureOptions } from '../src/capture/capture-options.js';
export type { MountOptions as ExpressAuditOptions } from '../src/mount.js';

export interface ExpressAuditMiddleware extends RequestHandler, TrailHandle {
  /** Mount after your routes: records the error passed to `next(err)`, then passes it on. */
  readonly errorHandler: ErrorRequestHandler;
}

const FORWARDED_ERROR = Symbol('audit-trail.error');
type AuditedRequest = Request & { id?: string; user?: unknown; [FORWARDED_ERROR]?: unknown };

/** `app.use(auditTrail())`: every request becomes one `user_actions` row. Mount it first. */
export function auditTrail(input?: MountInput, captureOptions?: CaptureOptions): ExpressAuditMiddleware {
  const { trail, capture } = mountCapture(input, captureOptions);

  const middleware: RequestHandler = (req: AuditedRequest, res, next) => {
    const pending = capture.begin({
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      peer: req.socket.remoteAddress,
      frameworkTrust: req.app.get('trust proxy fn') as TrustFn | undefined,
    });
    if (!pending) return next();
    req.id = pending.requestId;
    res.setHeader('X-Request-ID', pending.requestId);
    const finished = (aborted: boolean) => ({
      request: req,
      user: req.user,
      body: req.body,
      query: req.query,
      route: req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined,
      status: aborted && !res.headersSent ? undefined : res.statusCode,
      error: req[FORWARDED_ERROR],
      aborted,
    });
    onFinished(res, () => capture.end(pending, finished(!res.writableFinished)));
    if (capture.holdsResponses) holdLastByte(res, () => capture.hold(pending, finished(false)));
    next();
  };

  const errorHandler: ErrorRequestHandler = (error, req: AuditedRequest, _res, next) => {
    req[FORWARDED_ERROR] = error;
    next(error);
  };

  return Object.assign(middleware, trailHandle(trail), { errorHandler });
}

/** Strict mode and `block`: `res.end()` waits for the trail before the last byte goes out. */
function holdLastByte(res: Response, hold: () => Promise<void> | undefined): void {
  const end = res.end;
  res.end = function heldEnd(this: Response, ...args: Parameters<Response['end']>) {
    res.end = end;
    const waiting = hold();
    if (!waiting) return end.apply(this, args);
    void waiting.then(() => end.apply(this, args));
    return this;
  } as Response['end'];
}
