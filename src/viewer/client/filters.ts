/**
 * The viewer's state lives in its URL, under the API's own parameter names, so a shared link shows the
 * same rows and the page passes its query string straight to the API.
 */
/** API filters the bar has no control of its own for: kept when a link sets them, shown as plain fields. */
export const MORE_FILTERS = ['userId', 'ip', 'route', 'minDurationMs', 'ignoreCase'] as const;

export const FILTER_PARAMS = ['username', 'outcome', 'actionType', 'resource', 'statusCode', 'from', 'to', 'requestId', ...MORE_FILTERS] as const;
export type FilterParam = (typeof FILTER_PARAMS)[number];
export type Filters = Partial<Record<FilterParam, string>>;

export interface ViewState {
  filters: Filters;
  cursor: string | undefined;
  limit: string | undefined;
}

export const TIME_PRESETS = [
  { label: 'Last hour', from: '1h', bucket: 'minute', since: '1h' },
  { label: 'Last 24 h', from: '24h', bucket: 'hour', since: '24h' },
  { label: 'Last 7 days', from: '7d', bucket: 'day', since: '7d' },
] as const;

export function readState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const filters: Filters = {};
  for (const name of FILTER_PARAMS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return { filters, cursor: params.get('cursor') ?? undefined, limit: params.get('limit') ?? undefined };
}

/** The query string for a state: the page's URL and, unchanged, the API's. */
export function searchOf({ filters, cursor, limit }: ViewState): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_PARAMS) {
    const value = filters[name];
    if (value) params.set(name, value);
  }
  if (limit) params.set('limit', limit);
  if (cursor) params.set('cursor', cursor);
  return params;
}

/** A link to the viewer showing only this filter, e.g. every request with one request id. */
export function filterLink(name: FilterParam, value: string): string {
  return `?${new URLSearchParams({ [name]: value }).toString()}`;
}

/** What the chart and reports cover: the filter's preset window, else from its start, else the last 24 hours. */
export function reportWindow(filters: Filters): { since: string; bucket: string; label: string } {
  const preset = TIME_PRESETS.find((candidate) => candidate.from === filters.from);
  if (preset) return { ...preset, label: preset.label.toLowerCase() };
  if (filters.from) {
    const start = new Date(filters.from);
    return { since: filters.from, bucket: 'day', label: Number.isNaN(start.getTime()) ? `last ${filters.from}` : `since ${start.toLocaleString()}` };
  }
  return { since: '24h', bucket: 'hour', label: 'last 24 h' };
}
