import { userFromClaims } from '../capture/user.js';
import { requestError } from '../http/errors.js';
import type { Handler, NeutralRequest, Route, RouteTable } from '../http/types.js';
import type { Store } from '../store/store.js';
import type { AuditTrail } from '../trail.js';
import type { Bucket } from './buckets.js';
import { parseFilters, wholeNumber, FILTER_NAMES } from './parse-filters.js';
import { queryChanges, type ChangeQuery } from '../changes/query-changes.js';
import { findEntry, queryLog } from './query.js';
import { activityTimeline, failedActions, slowOperations } from './reports.js';
import { EXPORT_FORMATS, exportLog, type ExportFormat } from './export.js';
import { verifyTrail } from '../integrity/index.js';
import { VIEWER_SCRIPT_PATH, viewerPage, viewerScriptHeaders } from '../viewer/page.js';
import { viewerScript } from '../viewer/script.js';
import { resolveAuditLogOptions, type AuditLogRouteName, type AuditLogRouterConfig, type AuditLogRouterOptions } from './router-options.js';

const PAGE = ['limit', 'cursor'];
const CHANGE_FILTERS = ['model', 'recordId', 'eventId', 'requestId', 'userId', 'from', 'to'] as const;

/** The audit log as a table of neutral handlers, every one behind `authorize`; adapters only translate. */
function auditLogRoutes(store: () => Promise<Store>, config: AuditLogRouterConfig): RouteTable {
  const respond = (name: AuditLogRouteName, path: string, query: readonly string[], answer: Handler, accepts?: string): Route => ({
    name,
    method: 'GET',
    path,
    query,
    handler: authorized(config, answer),
    ...(accepts === undefined ? {} : { accepts }),
  });
  const route = (name: AuditLogRouteName, path: string, query: readonly string[], read: (store: Store, request: NeutralRequest) => Promise<unknown>) =>
    respond(name, path, query, async (request) => ({ status: 200, body: await read(await store(), request) }));
  // The page takes the list's parameters: they are the filter state its URL carries.
  const viewer = config.viewer
    ? [
        respond('viewer.page', '/', [...FILTER_NAMES, ...PAGE], async ({ mountPath }) => ({ status: 200, ...viewerPage(mountPath) }), 'text/html'),
        respond('viewer.script', VIEWER_SCRIPT_PATH, [], async () => ({ status: 200, content: await viewerScript(), headers: viewerScriptHeaders() })),
      ]
    : [];
  return [
    ...viewer,
    respond('entries.export', '/export', [...FILTER_NAMES, 'format'], async ({ query }) => {
      const format = exportFormatOf(query);
      return { status: 200, content: await exportLog(await store(), filtersOf(query), format), headers: EXPORT_HEADERS[format] };
    }),
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
    route('chain.verify', '/chain', ['from', 'to'], (opened, { query }) => chainStatus(opened, query)),
    route('changes.list', '/changes', [...CHANGE_FILTERS, ...PAGE], (opened, { query }) => queryChanges(opened, { ...changeFiltersOf(query), ...pageOf(query) })),
    route('changes.ofEntry', '/:eventId/changes', PAGE, (opened, { params, query }) => queryChanges(opened, { eventId: params.eventId ?? '', ...pageOf(query) })),
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

const EXPORT_HEADERS: Record<ExportFormat, Record<string, string>> = {
  csv: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="audit-log.csv"', 'x-content-type-options': 'nosniff' },
  jsonl: { 'content-type': 'application/jsonl; charset=utf-8', 'content-disposition': 'attachment; filename="audit-log.jsonl"', 'x-content-type-options': 'nosniff' },
};

function exportFormatOf(query: URLSearchParams): ExportFormat {
  const format = single(query, 'format') ?? 'csv';
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw requestError('invalid_query', `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  return format as ExportFormat;
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

function changeFiltersOf(query: URLSearchParams): ChangeQuery {
  return Object.fromEntries(CHANGE_FILTERS.flatMap((name) => (query.has(name) ? [[name, single(query, name)]] : [])));
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

/** What both adapters' `auditLogRouter` mount (through mountFeature): the resolved options and the route table. */
export function auditLogFeature(trail: AuditTrail, options: AuditLogRouterOptions) {
  const config = resolveAuditLogOptions(options);
  return { config, routes: auditLogRoutes(() => trail.store(), config) };
}

/** The tamper-evidence chain recomputed over `from`..`to` (links; default: all of it). */
async function chainStatus(opened: Store, query: URLSearchParams) {
  const bound = (name: string) => {
    const value = single(query, name);
    return value === undefined ? undefined : wholeNumber(name, value);
  };
  const [fromSeq, toSeq] = [bound('from'), bound('to')];
  return { available: true, ...(await verifyTrail(opened, { ...(fromSeq === undefined ? {} : { fromSeq }), ...(toSeq === undefined ? {} : { toSeq }) })) };
}
