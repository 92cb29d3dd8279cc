import type { IncomingMessage } from 'node:http';
import { RequestCapture } from './capture/request-capture.js';
import { CAPTURE_OPTIONS, type CaptureOptions } from './capture/capture-options.js';
import { TRAIL_OPTIONS, type AuditTrailOptions } from './config.js';
import { AuditTrailError } from './errors.js';
import { requireKnownOptions } from './option-keys.js';
import { forwardReader, type TrailReader } from './query/reader.js';
import { createAuditTrail, trailOf, type AuditTrail } from './trail.js';
import { auditWebSocket, requireWebSocketServer, type WebSocketAudit } from './ws/audit-websocket.js';
import { WEBSOCKET_OPTIONS, type WebSocketAuditOptions } from './ws/options.js';
import type { WebSocketServerLike } from './ws/socket-types.js';

export type MountOptions = AuditTrailOptions & CaptureOptions;

/** What every adapter's middleware carries besides being a middleware. */
export interface TrailHandle extends TrailReader {
  readonly trail: AuditTrail;
  ready(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type MountInput = MountOptions | AuditTrail | TrailHandle;

/**
 * A new trail from options, or a shared one, and the mount's own options: they come with the trail
 * options (`mount({ database, ...own })`) or on their own (`mount(trail, own)`). Either way a key that
 * is neither the trail's nor the mount's (`ownNames`) is refused.
 */
function resolveMount<Own extends object>(input: AuditTrailOptions | AuditTrail | TrailHandle | undefined, own: Own | undefined, ownNames: readonly string[]) {
  if (own !== undefined) requireKnownOptions(own, ownNames);
  const shared = trailOf(input);
  if (shared) return { trail: shared, options: own ?? ({} as Own) };
  if (own !== undefined) return { trail: createAuditTrail(input as AuditTrailOptions | undefined), options: own };
  const given = (input ?? {}) as Record<string, unknown>;
  requireKnownOptions(given, [...TRAIL_OPTIONS, ...ownNames]);
  const trailOptions = Object.fromEntries(Object.entries(given).filter(([name]) => !ownNames.includes(name) || TRAIL_OPTIONS.includes(name)));
  return { trail: createAuditTrail(trailOptions as AuditTrailOptions), options: given as Own };
}

/** What a router takes first: a trail to share, or the options of its own. */
export type RouterInput<Options> = AuditTrail | TrailHandle | (AuditTrailOptions & Options);

/**
 * A router's trail and its feature built on it. The feature folders take a ready trail and stay below this
 * file; `names` are the adapter's own option names (only Koa's routers take a `prefix`).
 */
export function mountFeature<Options extends object, Built extends object>(
  input: RouterInput<Options> | undefined,
  options: Options | undefined,
  names: readonly string[],
  feature: (trail: AuditTrail, options: Options) => Built,
) {
  const { trail, options: own } = resolveMount(input, options, names);
  return { trail, ...feature(trail, own) };
}

/** `auditWebSocket(wss, audit, options)` on either adapter; `defaultUser` reads the adapter's user from the upgrade. */
export function mountWebSocket(
  wss: WebSocketServerLike,
  audit: MountInput | undefined,
  options: WebSocketAuditOptions | undefined,
  defaultUser: (request: IncomingMessage) => unknown,
): WebSocketAudit {
  requireWebSocketServer(wss);
  if (audit === undefined) throw new AuditTrailError('invalid_option', 'auditWebSocket needs the audit middleware (or a trail) as its second argument.');
  const { trail, options: given } = resolveMount(audit, options ?? {}, WEBSOCKET_OPTIONS);
  return auditWebSocket(wss, trail, given, defaultUser);
}

export function mountCapture(input: MountInput | undefined, captureOptions?: CaptureOptions) {
  const { trail, options } = resolveMount(input, captureOptions, CAPTURE_OPTIONS);
  return { trail, capture: new RequestCapture(trail, options) };
}

export function trailHandle(trail: AuditTrail): TrailHandle {
  return { trail, ready: () => trail.ready(), flush: () => trail.flush(), close: () => trail.close(), ...forwardReader(trail) };
}
