import type { Registry } from 'prom-client';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TelemetryEvents } from '../telemetry.js';
import type { AuditTrail } from '../trail.js';
import { defineMetrics, type AuditMetrics } from './definitions.js';
import type { PromClientModule } from './prom-client.js';

/**
 * More distinct routes than this means something puts raw paths in the route; more WebSocket actions, that
 * clients name them (a `type` field) rather than the host's table. The rest count as `other`.
 */
export const ROUTE_LABEL_LIMIT = 500;

/** What one registry publishes: its metrics, and the trails it listens to. */
interface Publication {
  readonly metrics: AuditMetrics;
  readonly trails: Set<AuditTrail>;
  readonly routeLabel: (route: string | undefined) => string;
  readonly actionLabel: (action: string) => string;
}

const publications = new WeakMap<Registry, Publication>();

type Listeners = { [E in keyof TelemetryEvents]?: (...args: TelemetryEvents[E]) => void };

/** Publishes `trail`'s telemetry in `registry` until the trail closes. Idempotent per trail and registry. */
export function publishTrailMetrics(client: PromClientModule, registry: Registry, trail: AuditTrail): void {
  const publication = publicationFor(client, registry, trail.config.logger);
  if (publication.trails.has(trail)) return; // mounted twice: counting everything twice would be worse than useless
  const listeners = guarded(listenersFor(publication), trail.config.logger);
  const { telemetry } = trail;
  for (const [event, listener] of Object.entries(listeners)) telemetry.on(event as keyof TelemetryEvents, listener as never);
  publication.trails.add(trail);
  telemetry.once('closed', () => {
    for (const [event, listener] of Object.entries(listeners)) telemetry.off(event as keyof TelemetryEvents, listener as never);
    publication.trails.delete(trail);
  });
}

function publicationFor(client: PromClientModule, registry: Registry, logger: Logger): Publication {
  const existing = publications.get(registry);
  if (existing) return existing;
  const trails = new Set<AuditTrail>();
  // Read at each scrape: the queues of every trail this registry publishes, summed.
  const queueDepth = () => [...trails].reduce((sum, trail) => sum + trail.queueDepth(), 0);
  const routes = cappedLabel(logger, 'route', 'routes', 'Mount routers under fixed paths so the route label stays a template.');
  const actions = cappedLabel(logger, 'action', 'WebSocket actions', 'Name actions with the actions map or the action() option of auditWebSocket.');
  const publication = {
    metrics: defineMetrics(client, registry, queueDepth),
    trails,
    routeLabel: (route: string | undefined) => (route === undefined ? 'unmatched' : routes(route)),
    actionLabel: actions,
  };
  publications.set(registry, publication);
  return publication;
}

function listenersFor({ metrics, routeLabel, actionLabel }: Publication): Listeners {
  return {
    request_started: ({ method }) => metrics.httpInProgress.inc({ method }),
    request_finished: ({ method, route, status, durationSeconds }) => {
      const label = routeLabel(route);
      metrics.httpInProgress.dec({ method });
      // 0: the client left before any response was sent.
      metrics.httpRequests.inc({ method, route: label, status_code: String(status ?? 0) });
      metrics.httpDuration.observe({ method, route: label }, durationSeconds);
    },
    recorded: ({ outcome }) => metrics.auditEvents.inc({ outcome }),
    batch_written: ({ size, durationSeconds }) => {
      metrics.auditWritten.inc(size);
      metrics.auditBatchSize.observe(size);
      metrics.auditWriteDuration.observe(durationSeconds);
    },
    write_retried: () => metrics.auditWriteRetries.inc(),
    dropped: ({ reason, count }) => metrics.auditDropped.inc({ reason }, count),
    events_spilled: ({ count }) => metrics.auditSpilled.inc(count),
    events_replayed: ({ count }) => metrics.auditReplayed.inc(count),
    count_cache: ({ result }) => metrics.countCache.inc({ result }),
    partition_strays: ({ table, rows }) => metrics.partitionStrays.set({ table }, rows),
    ws_message: ({ action }) => metrics.wsMessages.inc({ action: actionLabel(action) }),
    ws_reply: ({ action, durationSeconds }) => metrics.wsReplyDuration.observe({ action: actionLabel(action) }, durationSeconds),
    ws_row: ({ action, outcome }) => metrics.wsRows.inc({ action: actionLabel(action), outcome }),
    ws_connection: ({ open }) => (open ? metrics.wsConnections.inc() : metrics.wsConnections.dec()),
    db_query: ({ operation, durationSeconds, slow, failed }) => {
      metrics.dbQueryDuration.observe({ operation }, durationSeconds);
      if (slow) metrics.dbSlowQueries.inc({ operation });
      if (failed) metrics.dbQueryErrors.inc({ operation });
    },
  };
}

/** Telemetry fires on the request path: a metric that throws is logged once per event, never thrown into the host. */
function guarded(listeners: Listeners, logger: Logger): Listeners {
  const reported = new Set<string>();
  const entries = Object.entries(listeners).map(([event, listener]) => {
    const safe = (...args: unknown[]) => {
      try {
        (listener as (...args: unknown[]) => void)(...args);
      } catch (error) {
        if (reported.has(event)) return;
        reported.add(event);
        logger.error(`metrics for telemetry event ${event} failed and are incomplete: ${messageOf(error)}`);
      }
    };
    return [event, safe];
  });
  return Object.fromEntries(entries) as Listeners;
}

/**
 * The label itself, up to ROUTE_LABEL_LIMIT distinct ones. Route templates are bounded by the host's code, unless
 * a router is mounted under a path with parameters (Express reports that part raw); action names, unless clients
 * choose them. The cap keeps either from growing a series per value.
 */
function cappedLabel(logger: Logger, label: string, what: string, advice: string): (label: string) => string {
  const seen = new Set<string>();
  let warned = false;
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size < ROUTE_LABEL_LIMIT) {
      seen.add(value);
      return value;
    }
    if (!warned) {
      warned = true;
      logger.warn(`more than ${ROUTE_LABEL_LIMIT} distinct ${what} seen; further ones are counted as ${label}="other". ${advice}`);
    }
    return 'other';
  };
}
