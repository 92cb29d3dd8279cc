/** What crosses the thread boundary between the host's writer and the PostgreSQL worker. */
import type { Checkpoint } from '../../integrity/checkpoint.js';
import type { ChainSettings } from '../../integrity/appender.js';

/** A pg connection config that survives structured cloning: no functions, no sockets. */
export interface WorkerConnection {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly ssl?: unknown;
  readonly application_name?: string;
}

export interface WorkerSettings {
  readonly connection: WorkerConnection;
  /** Connections the worker may hold: one per batch in flight. */
  readonly maxConnections: number;
  /** The tamper-evidence chain's settings; false when it is off (the default). */
  readonly chain: ChainSettings | false;
}

/** Each event id, then its row: JSON text, or a large row's UTF-8 bytes (LargeRowText, its class lost in the copy). */
export type IdsAndRows = Array<string | { readonly utf8: Uint8Array }>;

export type ToWorker =
  /** A batch of requests' rows: each event id, then its row's text (src/writer/row-text.ts). */
  | { readonly type: 'write'; readonly id: number; readonly idsAndRows: IdsAndRows }
  /** A batch of model changes, for user_action_changes (src/changes/). */
  | { readonly type: 'changes'; readonly id: number; readonly rows: unknown[][] }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly id: number; readonly durationMs: number; readonly error?: undefined; readonly checkpoint?: Checkpoint }
  | { readonly id: number; readonly durationMs: number; readonly error: WireError };

/** Enough of a driver error for the host to classify it (SQLSTATE `code`) and to log it. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export function toWire(error: unknown): WireError {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** The host's copy of the worker's error; a TypeError stays a TypeError, which marks a bad row. */
export function fromWire(wire: WireError): Error {
  const error = wire.name === 'TypeError' ? new TypeError(wire.message) : wire.name === 'RangeError' ? new RangeError(wire.message) : new Error(wire.message);
  return Object.assign(error, wire.code === undefined ? {} : { code: wire.code });
}
