import { RequestCapture } from './capture/request-capture.js';
import type { CaptureOptions } from './capture/capture-options.js';
import type { AuditTrailOptions } from './config.js';
import { forwardReader, type TrailReader } from './query/reader.js';
import { createAuditTrail, isAuditTrail, type AuditTrail } from './trail.js';

export type MountOptions = AuditTrailOptions & CaptureOptions;

/** What every adapter's middleware carries besides being a middleware. */
export interface TrailHandle extends TrailReader {
  readonly trail: AuditTrail;
  ready(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type MountInput = MountOptions | AuditTrail | TrailHandle;

/** An existing core to share: a trail, or another mount's middleware. */
export function sharedTrail(input: MountInput | undefined): AuditTrail | undefined {
  if (isAuditTrail(input)) return input;
  if (input && 'trail' in input && isAuditTrail(input.trail)) return input.trail;
  return undefined;
}

export function resolveTrail(input: MountInput | undefined): AuditTrail {
  return sharedTrail(input) ?? createAuditTrail(input as MountOptions | undefined);
}

/**
 * A new trail from options, or a shared one, and the mount's own options: they come with the trail
 * options (`mount({ database, ...own })`) or on their own (`mount(trail, own)`).
 */
export function resolveMount<Own extends object>(input: AuditTrailOptions | AuditTrail | TrailHandle | undefined, own?: Own) {
  const shared = sharedTrail(input as MountInput | undefined);
  const trail = shared ?? createAuditTrail(input as AuditTrailOptions | undefined);
  return { trail, options: own ?? ((shared ? {} : (input ?? {})) as Own) };
}

export function mountCapture(input: MountInput | undefined, captureOptions?: CaptureOptions) {
  const { trail, options } = resolveMount(input, captureOptions);
  return { trail, capture: new RequestCapture(trail, options) };
}

export function trailHandle(trail: AuditTrail): TrailHandle {
  return { trail, ready: () => trail.ready(), flush: () => trail.flush(), close: () => trail.close(), ...forwardReader(trail) };
}
