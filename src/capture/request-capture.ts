import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { messageOf } from '../errors.js';
import { newEventId } from '../writer/event-id.js';
import type { AuditTrail } from '../trail.js';
import { buildEvent, type EventPolicy, type FinishedResponse, type ObservedRequest } from './build-event.js';
import { resolveCaptureOptions, type CaptureConfig, type CaptureOptions } from './capture-options.js';
import type { TrustFn } from './client-ip.js';
import { resolveRequestId } from './request-id.js';
import { createSanitizer, type Sanitizer } from './sanitize.js';

/** What an adapter knows when a request arrives. */
export interface ArrivingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly peer: string | undefined;
  /** The framework's own trust-proxy setting, used when the mount sets none. */
  readonly frameworkTrust: TrustFn | undefined;
}

export interface PendingRequest {
  readonly requestId: string;
  readonly path: string;
  readonly arrival: ArrivingRequest;
  readonly startedAt: Date;
  readonly startTick: number;
  /** From the trail's in-flight count, handed back when the request is recorded. */
  readonly generation: number;
  /** The row's event id, when a change made by the request asked for it before the row was recorded (src/context.ts). */
  eventId?: string;
}

/** The finished response as an adapter hands it over, with the framework's request for the `user` option. */
export type AdapterResponse = FinishedResponse & { readonly request: unknown };

/** An adapter's one function (per mount, not per request) that reads its finished response, `source`, for the row. */
export type ResponseReader<S> = (source: S) => AdapterResponse;

/** A response that completed in this turn of the event loop, to be read and recorded at its end. */
interface Ended<S> {
  readonly pending: PendingRequest;
  readonly durationMs: number;
  readonly source: S;
  readonly read: ResponseReader<S>;
}

const asItIs: ResponseReader<AdapterResponse> = (response) => response;

const TRUST_NONE: TrustFn = () => false;

/** The one place where requests become audit events; every adapter drives it the same way. */
export class RequestCapture {
  private readonly config: CaptureConfig;
  private readonly policy: EventPolicy;
  /**
   * Strict mode (the row must be durable) and `onOverflow: 'block'` (the queue must have room) both make
   * the response wait: adapters then call hold() before the last byte goes out.
   */
  readonly holdsResponses: boolean;
  private readonly held = new WeakSet<PendingRequest>();
  private ended: Array<Ended<unknown>> = [];

  constructor(
    private readonly trail: AuditTrail,
    options: CaptureOptions = {},
  ) {
    this.config = resolveCaptureOptions(options, trail.config.logger);
    this.policy = { recordAnonymous: this.config.recordAnonymous, sanitize: createSanitizer(this.config.sanitize) };
    this.holdsResponses = trail.config.mode === 'strict' || trail.config.onOverflow === 'block';
  }

  /** The mount's sanitizer, which model changes share with request bodies. */
  get sanitizer(): Sanitizer {
    return this.policy.sanitize;
  }

  /** Reads the request's user as the row will: the `user` option, else what the adapter finds. */
  userReader(adapterUser: (request: unknown) => unknown): (request: unknown) => unknown {
    return this.config.user ?? adapterUser;
  }

  /** Starts the clock; undefined when the path is not to be recorded. */
  begin(arrival: ArrivingRequest): PendingRequest | undefined {
    const path = pathOf(arrival.url);
    if (this.config.skip(path)) return undefined;
    const { telemetry } = this.trail;
    // Checked first, so that without metrics no payload is built for nobody.
    if (telemetry.listenerCount('request_started') > 0) telemetry.emit('request_started', { method: arrival.method });
    return {
      requestId: resolveRequestId(arrival.headers['x-request-id']),
      path,
      arrival,
      startedAt: new Date(),
      startTick: performance.now(),
      generation: this.trail.inFlight.begin(),
      eventId: undefined,
    };
  }

  /**
   * Notes that the request's response completed (its `source`, which `read` reads for the row); it is read,
   * turned into an event and queued once this turn of the event loop ends, with every other request that
   * completed in it. Run one after another, the audit's code and data stay in the CPU's caches instead
   * of being fetched again between the host's own work for each request: measured in bench servers,
   * 6–17 µs less of the host's CPU a request (docs/benchmarks.md). trail.flush() waits for that turn's end.
   * Never throws into the host.
   */
  end<S>(pending: PendingRequest, source: S, read: ResponseReader<S>): void {
    if (this.holdsResponses && this.held.has(pending)) return;
    const durationMs = performance.now() - pending.startTick;
    if (this.ended.push({ pending, durationMs, source, read } as Ended<unknown>) === 1) setImmediate(this.recordEnded);
  }

  private readonly recordEnded = () => {
    const ended = this.ended;
    this.ended = [];
    for (const { pending, durationMs, source, read } of ended) void this.record(pending, durationMs, source, read);
  };

  /**
   * Records the request as its response is about to complete; the adapter sends the last byte once the
   * promise resolves (it never rejects). Undefined when there is nothing to wait for.
   */
  hold(pending: PendingRequest, response: AdapterResponse): Promise<void> | undefined {
    this.held.add(pending);
    return this.record(pending, performance.now() - pending.startTick, response, asItIs) ?? undefined;
  }

  private record<S>(pending: PendingRequest, durationMs: number, source: S, read: ResponseReader<S>): void | Promise<void> {
    const { telemetry } = this.trail;
    try {
      const response = read(source);
      if (telemetry.listenerCount('request_finished') > 0) {
        telemetry.emit('request_finished', {
          method: pending.arrival.method,
          route: response.route,
          status: response.status,
          durationSeconds: durationMs / 1000,
        });
      }
      const { arrival } = pending;
      // Spelled out rather than spread: spreading two objects of different shapes made this the
      // slowest line of the request path.
      const observed: ObservedRequest = {
        startedAt: pending.startedAt,
        durationMs,
        method: arrival.method,
        path: pending.path,
        headers: arrival.headers,
        peer: arrival.peer,
        trust: this.config.trust ?? arrival.frameworkTrust ?? TRUST_NONE,
        requestId: pending.requestId,
        user: this.config.user ? this.config.user(response.request) : response.user,
        body: response.body,
        query: response.query,
        route: response.route,
        status: response.status,
        error: response.error,
        aborted: response.aborted,
      };
      const event = buildEvent(observed, this.policy);
      // The id a change made during the request already points to, or (for one made after) will.
      if (event) return this.trail.record(event, (pending.eventId ??= newEventId()));
    } catch (error) {
      this.trail.config.logger.error(`audit event for request ${pending.requestId} dropped: ${messageOf(error)}`);
      telemetry.emit('dropped', { reason: 'capture_failed', count: 1 });
    } finally {
      this.trail.inFlight.end(pending.generation);
    }
  }
}

// Scheme and authority of an absolute-form request target (RFC 9112 3.2.2), as sent to proxies.
const SCHEME_AND_HOST = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/;

/**
 * The path of a request target, without the query string, and never a scheme or host: an absolute-form
 * `GET http://host/p` is routed as `/p` by Express and Koa, and is recorded (and skipped) as `/p` too.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  const target = query === -1 ? url : url.slice(0, query);
  if (target.startsWith('/')) return target;
  const origin = SCHEME_AND_HOST.exec(target);
  return origin === null ? target : target.slice(origin[0].length) || '/';
}
