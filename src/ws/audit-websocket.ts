import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createSanitizer } from '../capture/sanitize.js';
import { clientIp, type TrustFn } from '../capture/client-ip.js';
import { clip, COLUMN_LIMITS } from '../capture/columns.js';
import { outcomeOf } from '../capture/outcome.js';
import { resolveRequestId } from '../capture/request-id.js';
import { pathOf } from '../capture/request-capture.js';
import { AuditTrailError } from '../errors.js';
import type { AuditTrail } from '../trail.js';
import { AuditedConnection } from './connection.js';
import { resolveWebSocketOptions, type WebSocketAuditOptions } from './options.js';
import { WebSocketRecorder } from './recorder.js';
import type { AuditedSocket, WebSocketServerLike } from './socket-types.js';
import { ConnectionActor, type ConnectionColumns } from './ws-event.js';

/** What `auditWebSocket` returns. */
export interface WebSocketAudit {
  /**
   * Refuses an upgrade from your `upgrade` handler: writes the HTTP refusal on the socket, closes it, and records a
   * `WS:CONNECT` row with that status (`permission_denied` for 401 and 403, else `error`).
   */
  reject(request: IncomingMessage, socket: Duplex, status: number, message?: string): void;
}

const TRUST_NONE: TrustFn = () => false;

/** Checked before anything else, so that a wrong first argument is named as such. */
export function requireWebSocketServer(wss: WebSocketServerLike): void {
  if (typeof wss?.handleUpgrade !== 'function' || typeof wss.prependListener !== 'function') {
    throw new AuditTrailError('invalid_option', 'auditWebSocket needs a ws (^8) WebSocketServer as its first argument.');
  }
}

/**
 * Audits every connection `wss` upgrades from now on. The server's `handleUpgrade` is wrapped, so that each socket
 * is audited before any `connection` listener of the host's sees it; a socket emitted as a `connection` without
 * going through it (made by another server) is audited there.
 */
export function auditWebSocket(wss: WebSocketServerLike, trail: AuditTrail, given: WebSocketAuditOptions, defaultUser: (request: IncomingMessage) => unknown): WebSocketAudit {
  const config = resolveWebSocketOptions(given, trail.config.logger, defaultUser);
  const recorder = new WebSocketRecorder(trail, { recordAnonymous: config.capture.recordAnonymous, sanitize: createSanitizer(config.capture.sanitize) });
  const trust = config.capture.trust ?? TRUST_NONE;
  const audited = new WeakSet<object>();

  function columnsOf(request: IncomingMessage): ConnectionColumns {
    return {
      connectionId: resolveRequestId(request.headers['x-request-id']),
      path: pathOf(request.url ?? '/'),
      ipAddress: clientIp(request.socket?.remoteAddress, request.headers, trust),
      userAgent: clip(request.headers['user-agent'], COLUMN_LIMITS.userAgent),
    };
  }

  function attach(socket: AuditedSocket, request: IncomingMessage): void {
    if (audited.has(socket)) return;
    audited.add(socket);
    const columns = columnsOf(request);
    if (config.capture.skip(columns.path)) return;
    const connection = new AuditedConnection(config, recorder, columns, new ConnectionActor(() => config.user(request), config.capture.recordAnonymous), request);
    // Own properties in front of the prototype's: every listener, attached before or after this, is seen.
    const { emit, send } = socket;
    socket.emit = function auditedEmit(this: AuditedSocket, ...args: Parameters<typeof emit>) {
      const [event, data, isBinary] = args as unknown[];
      // ws 7 (which express-ws brings) passes no isBinary: its text frames arrive as strings, binary ones as Buffers.
      if (event === 'message') return connection.dispatch(this, data, isBinary === undefined ? typeof data !== 'string' : isBinary === true);
      return emit.apply(this, args);
    };
    socket.send = function auditedSend(this: AuditedSocket, ...args: Parameters<typeof send>) {
      connection.sending(args[0]);
      return send.apply(this, args);
    };
    socket.on('close', (code, reason) => connection.closed(code, reason));
    const { telemetry } = trail;
    if (telemetry.listenerCount('ws_connection') > 0) {
      telemetry.emit('ws_connection', { open: true });
      socket.on('close', () => telemetry.emit('ws_connection', { open: false }));
    }
    connection.opened();
  }

  const handleUpgrade = wss.handleUpgrade;
  wss.handleUpgrade = function auditedUpgrade(this: WebSocketServerLike, request, socket, head, callback) {
    return handleUpgrade.call(this, request, socket, head, ((ws: AuditedSocket, upgraded: IncomingMessage) => {
      attach(ws, upgraded);
      callback(ws as never, upgraded);
    }) as never);
  };
  wss.prependListener('connection', attach as never);
  // Their upgrade request, which names the user and the client, is gone: they stay unaudited, and the host is told.
  const unaudited = wss.clients?.size ?? 0;
  if (unaudited > 0)
    trail.config.logger.warn(`auditWebSocket: ${unaudited} connection(s) opened before it was called are not audited; call it before the server accepts connections`);

  return {
    reject(request, socket, status, message) {
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new AuditTrailError('invalid_option', `reject() takes an HTTP error status (400-599); got ${String(status)}.`);
      }
      const body = message ?? STATUS_CODES[status] ?? '';
      if (socket.writable) {
        socket.once('finish', () => socket.destroy());
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
      const columns = columnsOf(request);
      if (config.capture.skip(columns.path)) return;
      recorder.record(columns, new ConnectionActor(() => config.user(request), config.capture.recordAnonymous), {
        name: 'CONNECT',
        requestId: columns.connectionId,
        startedAt: new Date(),
        durationMs: 0,
        data: undefined,
        status,
        outcome: outcomeOf(status, {}),
        error: message,
      });
    },
  };
}
