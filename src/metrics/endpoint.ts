import type { Registry } from 'prom-client';
import { AuditTrailError, messageOf } from '../errors.js';
import { optionNames, requireKnownOptions } from '../option-keys.js';
import { trailOf, type AuditTrail } from '../trail.js';
import { compileGuard, type GuardVerdict, type MetricsGuard, type MetricsRequest } from './guard.js';
import { promClient, type PromClientModule } from './prom-client.js';
import { publishTrailMetrics } from './subscriber.js';

export interface MetricsRouteOptions {
  /** Where the metrics live; pass yours so your own metrics come out of the same route. Default: one per trail. */
  registry?: Registry;
  /** Also publish prom-client's default process metrics, optionally with a name prefix. Default: off. */
  defaultMetrics?: boolean | { prefix?: string };
  /** Who may scrape. A public `/metrics` leaks route names and volumes. Default: anyone. */
  guard?: MetricsGuard;
}

interface MetricsReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type MetricsEndpoint = (request: MetricsRequest) => Promise<MetricsReply>;

const TEXT = 'text/plain; charset=utf-8';
const REFUSALS: Record<Exclude<GuardVerdict, 'allowed'>, MetricsReply> = {
  unauthenticated: { status: 401, headers: { 'content-type': TEXT, 'www-authenticate': 'Basic realm="metrics", charset="UTF-8"' }, body: 'unauthorized\n' },
  forbidden: { status: 403, headers: { 'content-type': TEXT }, body: 'forbidden\n' },
};

/** One registry per trail when the host brings none, so two trails in one process never collide. */
const trailRegistries = new WeakMap<AuditTrail, Registry>();

/** The framework-neutral metrics route: starts publishing at once, answers each scrape with the exposition. */
export function metricsEndpoint(audit: AuditTrail | { readonly trail: AuditTrail }, options: MetricsRouteOptions = {}): MetricsEndpoint {
  const trail = trailOf(audit);
  if (!trail) {
    throw new AuditTrailError('invalid_option', 'metricsRoute(audit) needs the middleware returned by auditTrail(), or a trail from createAuditTrail().');
  }
  requireKnownOptions(options, optionNames<MetricsRouteOptions>({ registry: true, defaultMetrics: true, guard: true }));
  const client = promClient();
  const registry = options.registry ?? registryOf(client, trail);
  if (typeof registry?.metrics !== 'function' || typeof registry.getSingleMetric !== 'function') {
    throw new AuditTrailError('invalid_option', 'registry must be a prom-client Registry, e.g. `new Registry()` or `register`.');
  }
  const guard = compileGuard(options.guard, trail.config.logger);
  publishTrailMetrics(client, registry, trail);
  const prefix = defaultMetricsPrefix(options.defaultMetrics);
  if (prefix !== undefined) collectDefaultMetricsOnce(client, registry, prefix);

  return async (request) => {
    const verdict = await guard(request);
    if (verdict !== 'allowed') return REFUSALS[verdict];
    try {
      return { status: 200, headers: { 'content-type': registry.contentType }, body: await registry.metrics() };
    } catch (error) {
      trail.config.logger.error(`metrics scrape failed: ${messageOf(error)}`);
      return { status: 500, headers: { 'content-type': TEXT }, body: 'metrics collection failed\n' };
    }
  };
}

function registryOf(client: PromClientModule, trail: AuditTrail): Registry {
  let registry = trailRegistries.get(trail);
  if (!registry) {
    registry = new client.Registry();
    trailRegistries.set(trail, registry);
  }
  return registry;
}

function defaultMetricsPrefix(option: MetricsRouteOptions['defaultMetrics']): string | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return '';
  if (typeof option === 'object' && (option.prefix === undefined || typeof option.prefix === 'string')) return option.prefix ?? '';
  throw new AuditTrailError('invalid_option', 'defaultMetrics must be true, false, or { prefix: string }.');
}

/** prom-client throws when its default metrics are registered twice in one registry; a second mount skips. */
function collectDefaultMetricsOnce(client: PromClientModule, registry: Registry, prefix: string): void {
  if (registry.getSingleMetric(`${prefix}process_cpu_user_seconds_total`)) return;
  client.collectDefaultMetrics({ register: registry, prefix });
}
