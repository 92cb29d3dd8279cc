import { requestError } from '../http/errors.js';
import { decodeCursor } from './cursor.js';

const MAX_PER_PAGE = 1000;
const DEFAULT_PER_PAGE = 20;
/** Longest `name` or `search` filter: no stored name is longer. */
const MAX_FILTER_LENGTH = 255;
const MAX_PAGE = 2 ** 31 - 1;

export const LIST_PARAMETERS = ['page', 'per_page', 'skip_count', 'name', 'search', 'cursor'] as const;

/** What narrows the list, normalized: an absent filter and an empty search are the same list. */
export interface AuthorFilters {
  readonly name?: string;
  readonly search?: string;
}

type ListPosition = { readonly page: number } | { readonly afterId: number };

export interface ListQuery {
  readonly filters: AuthorFilters;
  readonly position: ListPosition;
  readonly perPage: number;
  readonly skipCount: boolean;
}

/** `GET /` query parameters → a validated list query, or 400 `invalid_query` saying what is wrong. */
export function parseListQuery(query: URLSearchParams): ListQuery {
  const value = (name: (typeof LIST_PARAMETERS)[number]) => single(query, name);
  const perPage = integerIn('per_page', value('per_page'), 1, MAX_PER_PAGE) ?? DEFAULT_PER_PAGE;
  const page = integerIn('page', value('page'), 1, MAX_PAGE);
  const cursor = value('cursor');
  if (cursor !== undefined && page !== undefined) throw invalid('use either page or cursor, not both');
  const afterId = cursor === undefined ? undefined : decodeCursor(cursor);
  if (afterId === undefined && cursor !== undefined) throw invalid('cursor is not one this API returned as next_cursor');
  return {
    filters: filtersOf(value('name'), value('search')),
    position: afterId === undefined ? { page: page ?? 1 } : { afterId },
    perPage,
    skipCount: booleanOf('skip_count', value('skip_count')),
  };
}

function filtersOf(name: string | undefined, search: string | undefined): AuthorFilters {
  for (const [label, text] of [
    ['name', name],
    ['search', search],
  ] as const) {
    if (text === undefined) continue;
    if ([...text].length > MAX_FILTER_LENGTH) throw invalid(`${label} is longer than ${MAX_FILTER_LENGTH} characters`);
    if (text.includes('\0')) throw invalid(`${label} contains a NUL character`);
  }
  return { ...(name !== undefined && { name }), ...(search && { search }) };
}

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalid(`${name} is given ${values.length} times; give it once`);
  return values[0];
}

function integerIn(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const number = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(number >= min && number <= max)) throw invalid(`${name} must be an integer from ${min} to ${max}; got "${text}"`);
  return number;
}

function booleanOf(name: string, text: string | undefined): boolean {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw invalid(`${name} must be true or false; got "${text}"`);
}

function invalid(message: string) {
  return requestError('invalid_query', message);
}
