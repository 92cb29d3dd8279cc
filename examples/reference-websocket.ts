// The examples' WebSocket API on /ws, shared by the Express and Koa twins: the reference design's shape,
// { pkg_id, req_id, data } in, { pkg_id, req_id, status_code, meta, data } out (status 0 OK, 1 ERROR,
// 2 INVALID_DATA, 3 PERMISSION_DENIED). The example audits it with auditWebSocket(wss, audit, { actions: ACTIONS }):
// every message becomes a row, WS:GET_AUTHORS, …
import type { IncomingMessage, Server } from 'node:http';
import type { AuditTrail } from 'audit-trail';
import { WebSocketServer } from 'ws';

export const ACTIONS = { 1: 'GET_AUTHORS', 3: 'CREATE_AUTHOR' };
const STATUS = { OK: 0, ERROR: 1, INVALID_DATA: 2, PERMISSION_DENIED: 3 };

/** Listens on server's /ws; authenticate puts the user on the upgrade request, as the example's auth does for HTTP. */
export function serveAuthorsWebSocket(server: Server, trail: AuditTrail, authenticate: (req: IncomingMessage) => unknown): WebSocketServer {
  const wss = new WebSocketServer({ server, path: '/ws', verifyClient: ({ req }: { req: IncomingMessage }) => (authenticate(req), true) });
  wss.on('connection', (socket, req) => {
    const roles = (req as { user?: { resource_access?: { 'authors-api'?: { roles: string[] } } } }).user?.resource_access?.['authors-api']?.roles ?? [];
    socket.on('message', async (raw) => {
      let request: { pkg_id?: number; req_id?: string; data?: { name?: unknown } };
      try {
        request = JSON.parse(String(raw));
      } catch {
        return socket.send(JSON.stringify({ pkg_id: null, req_id: null, status_code: STATUS.INVALID_DATA, meta: {}, data: {} }));
      }
      const reply = (statusCode: number, data: unknown = {}) =>
        socket.send(JSON.stringify({ pkg_id: request.pkg_id, req_id: request.req_id, status_code: statusCode, meta: {}, data }));
      const { models } = await trail.store();
      if (request.pkg_id === 1) return reply(STATUS.OK, await models.Author.findAll({ order: [['id', 'ASC']], limit: 20 }));
      if (request.pkg_id !== 3) return reply(STATUS.ERROR);
      if (!roles.includes('create-author')) return reply(STATUS.PERMISSION_DENIED);
      if (typeof request.data?.name !== 'string') return reply(STATUS.INVALID_DATA);
      reply(STATUS.OK, await models.Author.create({ name: request.data.name }));
    });
  });
  return wss;
}
