import { userFromClaims } from '../capture/user.js';
import { requestError } from '../http/errors.js';
import type { AuditTrailOptions } from '../config.js';
import type { Handler, NeutralRequest, Route, RouteTable } from '../http/types.js';
import { resolveMount, type TrailHandle } from '../mount.js';
import type { AuditTrail, Store } from '../trail.js';
import type { Bucket } from './buckets.js';
import { parseFilters, wholeNumber, FILTER_NAMES } from './parse-filters.js';
import { findEntry, queryLog } from './query.js';
import { activityTimeline, failedActions, slowOperations } from './reports.js';
import { AUDIT_LOG_OPTIONS, resolveAuditLogOptions, type AuditLogRouteName, type AuditLogRouterConfig, type AuditLogRouterOptions } from './router-options.js';

const PAGE = ['limit', 'cursor'];

/** The audit log as a table of neutral handlers, every one behind `authorize`; adapters only translate. */
export function auditLogRoutes(store: () => Promise<Store>, config: AuditLogRouterConfig): RouteTable {
  const route = (name: AuditLogRouteName, path: string, query: readonly string[], read: (store: Store, request: NeutralRequest) => Promise<unknown>): Route => ({
    name,
    method: 'GET',
    path,
    query,
    handler: authorized(config, async (request) => ({ status: 200, body: await read(await store(), request) })),
  });
  return [
    route('entries.list', '/', [...FILTER_NAMES, ...PAGE], (opened, { query }) => queryLog(opened, { ...filtersOf(query), ...pageOf(query) })),
    route('reports.failed', '/reports/failed', ['username', 'userId', 'since', ...PAGE], (opened, { query }) =>
      failedActions(opened, { ...pick(query, ['username', 'userId']), ...sinceOf(query), ...pageOf(query) }),
    ),
    route('reports.slow', '/reports/slow', ['minDurationMs', 'since'], async (opened, { query }) => {
      const minDurationMs = single(query, 'minDurationMs');
      return { data: await slowOperations(opened, { ...sinceOf(query), ...(minDurationMs ? { minDurationMs: wholeNumber('minDurationMs', minDurationMs) } : {}) }) };
    }),
    route('reports.timeline', '/reports/timeline', ['userId', 'since', 'bucket'], async (opened, { query }) => {
      const bucket = single(query, 'bucket') as Bucket | undefined;
      return { data: await activityTimeline(opened, { ...pick(query, ['userId']), ...sinceOf(query), ...(bucket ? { bucket } : {}) }) };
    }),
    route('entries.get', '/:id', [], async (opened, { params }) => {
      const id = params.id ?? '';
      if (!/^\d+$/.test(id)) throw requestError('invalid_id', `audit entry id must be a positive integer; got "${id}"`);
      const entry = await findEntry(opened, Number(id));
      if (!entry) throw requestError('not_found', `no audit entry with id ${id}`);
      return entry;
    }),
  ];
}

/** Denied before any query runs; the 403 is itself recorded as permission_denied by the audit middleware. */
function authorized(config: AuditLogRouterConfig, handler: Handler): Handler {
  return async (request) => {
    const roles = userFromClaims(request.user)?.roles ?? [];
    const { user, method, path, params, raw } = request;
    const route = { name: request.route.name as AuditLogRouteName, template: request.route.template, params };
    const allowed = await config.authorize({ user, roles, method, path, route, raw });
    if (allowed !== true) throw requestError('forbidden', 'reading the audit log needs a right this user does not have');
    return handler(request);
  };
}

/** One value per parameter: `?outcome=a&outcome=b` and `?outcome=a,b` mean the same. */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  if (name !== 'outcome' && values.length > 1) throw requestError('invalid_query', `${name} may be given once`);
  return values.join(',');
}

function filtersOf(query: URLSearchParams) {
  return parseFilters((name) => single(query, name));
}

function pick(query: URLSearchParams, names: readonly ('username' | 'userId')[]) {
  return Object.fromEntries(names.flatMap((name) => (query.has(name) ? [[name, single(query, name)]] : [])));
}

function sinceOf(query: URLSearchParams) {
  const since = single(query, 'since');
  return since === undefined ? {} : { since };
}

function pageOf(query: URLSearchParams) {
  const limit = single(query, 'limit');
  const cursor = single(query, 'cursor');
  return { ...(limit === undefined ? {} : { limit: wholeNumber('limit', limit) }), ...(cursor === undefined ? {} : { cursor }) };
}

export type AuditLogRouterInput = AuditTrail | TrailHandle | (AuditTrailOptions & AuditLogRouterOptions);

/** What both adapters' `auditLogRouter` start from: the trail, the resolved options and the route table. */
export function auditLogMount(input: AuditLogRouterInput | undefined, options: AuditLogRouterOptions | undefined) {
  const { trail, options: own } = resolveMount(input, options, AUDIT_LOG_OPTIONS);
  const config = resolveAuditLogOptions(own);
  return { trail, config, routes: auditLogRoutes(() => trail.store(), config) };
}
