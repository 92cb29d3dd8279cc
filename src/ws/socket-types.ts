import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The parts of a `ws` (^8) WebSocket the audit uses, spelled out here so that the published types need
 * neither `ws` nor `@types/ws`.
 */
export interface AuditedSocket {
  send(data: unknown, ...rest: never[]): void;
  emit(event: string | symbol, ...args: never[]): boolean;
  rawListeners(event: string | symbol): Array<(...args: never[]) => unknown>;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
}

/**
 * The parts of a `ws` WebSocketServer the audit uses: a real one, or one that express-ws or koa-easy-ws made.
 * The socket is `any` here so that the server's own socket class, whatever its typings, fits.
 */
export interface WebSocketServerLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (socket: any, request: IncomingMessage) => void): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  prependListener(event: 'connection', listener: (socket: any, request: IncomingMessage) => void): unknown;
  /** The open connections, unless the server was made with `clientTracking: false`. */
  readonly clients?: { readonly size: number };
}
