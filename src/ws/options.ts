import type { IncomingMessage } from 'node:http';
import { CAPTURE_OPTIONS, resolveCaptureOptions, type CaptureConfig, type CaptureOptions } from '../capture/capture-options.js';
import { AuditTrailError } from '../errors.js';
import type { Logger } from '../logger.js';
import { optionNames } from '../option-keys.js';

/** How `auditWebSocket` turns messages into rows; the capture options mean what they mean for HTTP. */
export interface WebSocketAuditOptions extends Omit<CaptureOptions, 'user'> {
  /** Who is connected, from the upgrade request. Default: `req.user` (Koa: also `ctx.state.user` when the upgrade went through Koa). */
  user?: (request: IncomingMessage) => unknown;
  /** Names of the reference's `pkg_id`s: `{ 1: 'GET_AUTHORS' }` records `WS:GET_AUTHORS`. */
  actions?: Readonly<Record<number, string>>;
  /** The action name of a parsed message; wins over `pkg_id`, `type`, `action` and `method`. */
  action?: (message: unknown) => string | undefined;
  /** A binary frame as an object to record (and name); otherwise it is recorded as `{ binary: true, bytes }`. */
  decode?: (data: Buffer) => unknown;
  /** How long a message that carries a request id waits for its reply before it is written as unanswered. Default 30 s. */
  replyTimeoutMs?: number;
  /** Record `WS:CONNECT` and `WS:DISCONNECT` rows. Default true. */
  connections?: boolean;
}

export interface WebSocketAuditConfig {
  readonly capture: CaptureConfig;
  readonly user: (request: IncomingMessage) => unknown;
  readonly actions: ReadonlyMap<number, string>;
  readonly action: ((message: unknown) => string | undefined) | undefined;
  readonly decode: ((data: Buffer) => unknown) | undefined;
  readonly replyTimeoutMs: number;
  readonly connections: boolean;
}

const WEBSOCKET_DEFAULTS = Object.freeze({ replyTimeoutMs: 30_000, connections: true });

export const WEBSOCKET_OPTIONS = [
  ...CAPTURE_OPTIONS,
  ...optionNames<Omit<WebSocketAuditOptions, keyof CaptureOptions>>({ actions: true, action: true, decode: true, replyTimeoutMs: true, connections: true }),
];

/** Options arrive here already checked for misspellings; `defaultUser` is the adapter's reading of the upgrade request. */
export function resolveWebSocketOptions(options: WebSocketAuditOptions, logger: Logger, defaultUser: (request: IncomingMessage) => unknown): WebSocketAuditConfig {
  const { actions = {}, action, decode, replyTimeoutMs = WEBSOCKET_DEFAULTS.replyTimeoutMs, connections = WEBSOCKET_DEFAULTS.connections, ...capture } = options;
  for (const [name, hook] of Object.entries({ action, decode })) {
    if (hook !== undefined && typeof hook !== 'function') throw new AuditTrailError('invalid_option', `${name} must be a function.`);
  }
  if (!Number.isFinite(replyTimeoutMs) || replyTimeoutMs <= 0) {
    throw new AuditTrailError('invalid_option', `replyTimeoutMs must be a positive number of milliseconds; got ${String(replyTimeoutMs)}.`);
  }
  if (typeof connections !== 'boolean') throw new AuditTrailError('invalid_option', `connections must be true or false; got ${String(connections)}.`);
  const captureConfig = resolveCaptureOptions(capture as CaptureOptions, logger);
  return Object.freeze({
    capture: captureConfig,
    user: (captureConfig.user as WebSocketAuditConfig['user'] | undefined) ?? defaultUser,
    actions: actionNames(actions),
    action,
    decode,
    replyTimeoutMs,
    connections,
  });
}

function actionNames(actions: Readonly<Record<number, string>>): ReadonlyMap<number, string> {
  if (typeof actions !== 'object' || actions === null) throw new AuditTrailError('invalid_option', 'actions must map pkg_id numbers to names, e.g. { 1: "GET_AUTHORS" }.');
  const names = new Map<number, string>();
  for (const [id, name] of Object.entries(actions)) {
    if (!/^-?\d+$/.test(id) || typeof name !== 'string' || name === '') {
      throw new AuditTrailError('invalid_option', `actions must map pkg_id numbers to non-empty names; got ${id}: ${String(name)}.`);
    }
    names.set(Number(id), name);
  }
  return names;
}
