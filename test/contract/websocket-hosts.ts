import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { auditTrail as expressAudit, auditWebSocket as expressWebSocket } from '../../adapters/express.js';
import { auditTrail as koaAudit, auditWebSocket as koaWebSocket } from '../../adapters/koa.js';
import type { AuditTrail } from '../../src/trail.js';
import type { WebSocketAuditOptions } from '../../src/ws/options.js';
import { claimsOf } from '../support/listen.js';

/**
 * How the host serves WebSockets, and so when the audit meets its listeners:
 * - `server`: `new WebSocketServer({ server })`, authenticating in `verifyClient`; auditWebSocket is called
 *   before the host's `connection` listener.
 * - `noServer`: the host's own `upgrade` handler, which may refuse through `reject()`, then `handleUpgrade`;
 *   auditWebSocket is called after the host's listeners.
 * - `wrapped`: as express-ws and koa-easy-ws do, the upgrade request runs through the framework's middleware
 *   (which sets the user) and a route upgrades it and attaches its message listener a tick later.
 */
export type WebSocketMode = 'server' | 'noServer' | 'wrapped';
export const WEBSOCKET_MODES: readonly WebSocketMode[] = ['server', 'noServer', 'wrapped'];

export const WS_PATH = '/ws';
/** Thrown by the host's listener for `{ type: 'THROW' }`: the test suite's unhandled-error filter expects it. */
export const HOST_FAILURE = 'deliberate host failure';
export const ACTIONS = { 1: 'GET_AUTHORS', 3: 'CREATE_AUTHOR', 7: 'DELETE_AUTHOR', 8: 'NEVER_ANSWERED', 9: 'SLOW' };

export interface WebSocketHost {
  /** `ws://127.0.0.1:<port>/ws` */
  readonly url: string;
  close(): Promise<void>;
}

export interface WebSocketHostAdapter {
  readonly name: string;
  start(trail: AuditTrail, mode: WebSocketMode, options?: WebSocketAuditOptions): Promise<WebSocketHost>;
}

/** The reference's handler table, and a few more ways for a host to treat a message. */
function handleMessage(socket: WebSocket, raw: RawData, isBinary: boolean): void {
  if (isBinary) return;
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(raw.toString()) as Record<string, unknown>;
  } catch {
    return; // the reference answers nothing it cannot read
  }
  const { pkg_id: pkgId, req_id: reqId } = message;
  const reply = (statusCode: number, data: unknown = {}) => socket.send(JSON.stringify({ pkg_id: pkgId, req_id: reqId, status_code: statusCode, meta: {}, data }));
  if (message.type === 'THROW') throw new Error(HOST_FAILURE);
  if (message.jsonrpc === '2.0' && message.id !== undefined) {
    const body = message.method === 'sum' ? { result: (message.params as number[]).reduce((a, b) => a + b, 0) } : { error: { code: -32601, message: 'Method not found' } };
    return socket.send(JSON.stringify({ jsonrpc: '2.0', id: message.id, ...body }));
  }
  switch (pkgId) {
    case 1:
      return reply(0, { authors: [] });
    case 3:
      return reply(0, { id: 1 });
    case 4:
      return reply(2, { errors: ['name is required'] });
    case 7:
      return reply(3);
    case 8:
      return; // never answered
    case 9:
      setTimeout(() => reply(0), 100);
      return;
    default:
      if (reqId !== undefined) reply(1);
  }
}

function listenFor(socket: WebSocket): void {
  socket.on('message', (raw, isBinary) => handleMessage(socket, raw, isBinary));
}

/** Refuses when the client asks to be refused (`x-reject: <status>`), else reads its user from `x-test-user`. */
function authenticate(req: http.IncomingMessage): number | undefined {
  const refusal = req.headers['x-reject'];
  if (typeof refusal === 'string') return Number(refusal);
  (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
  return undefined;
}

type Audit = (wss: WebSocketServer, trail: AuditTrail, options?: WebSocketAuditOptions) => ReturnType<typeof expressWebSocket>;

async function serve(server: http.Server, wss: WebSocketServer): Promise<WebSocketHost> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}${WS_PATH}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `server` and `noServer`: the framework serves HTTP only; the upgrade never reaches it. */
async function plainHost(handler: http.RequestListener, audit: Audit, trail: AuditTrail, mode: 'server' | 'noServer', options?: WebSocketAuditOptions) {
  const server = http.createServer(handler);
  if (mode === 'server') {
    const wss = new WebSocketServer({ server, path: WS_PATH, verifyClient: ({ req }: { req: http.IncomingMessage }) => authenticate(req) === undefined });
    audit(wss, trail, options);
    wss.on('connection', listenFor);
    return serve(server, wss);
  }
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', listenFor);
  let refuse: ReturnType<Audit>['reject'] = () => {};
  server.on('upgrade', (req, socket, head) => {
    const refusal = authenticate(req);
    if (refusal !== undefined) return refuse(req, socket, refusal, `refused with ${refusal}`);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  refuse = audit(wss, trail, options).reject;
  return serve(server, wss);
}

function expressHost(name: string, express: typeof express5): WebSocketHostAdapter {
  return {
    name,
    async start(trail, mode, options) {
      const app = express();
      app.use(expressAudit(trail));
      if (mode !== 'wrapped') return plainHost(app, expressWebSocket, trail, mode, options);
      // express-ws: a `{ server }` WebSocketServer whose connection listener runs the request through the app.
      const server = http.createServer(app);
      const wss = new WebSocketServer({ server, path: WS_PATH });
      wss.on('connection', (socket, req) => {
        Object.assign(req, { ws: socket, url: `${req.url}/.websocket` });
        app(req as express5.Request, new http.ServerResponse(req) as express5.Response, () => socket.close());
      });
      app.use((req, _res, next) => {
        (req as { user?: unknown }).user = claimsOf(req.headers['x-test-user']);
        next();
      });
      app.get(`${WS_PATH}/.websocket`, (req) => void setImmediate(() => listenFor((req as unknown as { ws: WebSocket }).ws)));
      expressWebSocket(wss, trail, options);
      return serve(server, wss);
    },
  };
}

function koaHost(name: string, Koa: typeof Koa3): WebSocketHostAdapter {
  return {
    name,
    async start(trail, mode, options) {
      const app = new Koa();
      app.silent = true;
      app.use(koaAudit(trail));
      if (mode !== 'wrapped') return plainHost(app.callback(), koaWebSocket, trail, mode, options);
      // koa-easy-ws: the upgrade runs through Koa's middleware, and a middleware upgrades it.
      const wss = new WebSocketServer({ noServer: true });
      app.use(async (ctx, next) => {
        ctx.state.user = claimsOf(ctx.headers['x-test-user']);
        await next();
      });
      app.use(async (ctx) => {
        ctx.respond = false;
        wss.handleUpgrade(ctx.req, ctx.req.socket, Buffer.alloc(0), (socket) => {
          wss.emit('connection', socket, ctx.req);
          setImmediate(() => listenFor(socket));
        });
      });
      const callback = app.callback();
      const server = http.createServer(callback);
      server.on('upgrade', (req: http.IncomingMessage) => void callback(req, new http.ServerResponse(req)));
      koaWebSocket(wss, trail, options);
      return serve(server, wss);
    },
  };
}

export const WEBSOCKET_HOSTS: readonly WebSocketHostAdapter[] = [
  expressHost('express 4', express4),
  expressHost('express 5', express5),
  koaHost('koa 2', Koa2),
  koaHost('koa 3', Koa3),
];
