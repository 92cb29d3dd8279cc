import { requireCount } from '../config.js';
import { AuditTrailError } from '../errors.js';
import { optionNames } from '../option-keys.js';

/** The authors routes by name, as the `roles` option refers to them. */
export type AuthorRouteName = 'list' | 'get' | 'create' | 'update' | 'delete';

/** Express's `authorsRouter` options; Express takes the routes' path from `app.use`. */
export interface AuthorsRouterOptions {
  /**
   * Roles required per route, all of them, read from the user as the audit rows read it (Keycloak
   * realm and client roles understood). E.g. the reference's
   * `{ list: ['get-authors'], get: ['get-authors'], create: ['create-author'], update: ['update-author'], delete: ['delete-author'] }`.
   */
  roles?: Partial<Record<AuthorRouteName, readonly string[]>>;
  /** `(req)` (Express) or `(ctx)` (Koa) → the user's claims. Default: `req.user` / `ctx.state.user`. */
  user?: (request: never) => unknown;
  /** Prepended to every Redis key, so apps can share one Redis. */
  keyPrefix?: string;
  /** How long a cached count lives. */
  countTtlSeconds?: number;
  /** Longest wait for one Redis call before counting in the database instead. */
  redisTimeoutMs?: number;
}

/** Koa's `authorsRouter` options: a Koa middleware sees every path, so it is told where the routes live. */
export interface KoaAuthorsRouterOptions extends AuthorsRouterOptions {
  /** The path the routes live under, e.g. `/authors`. */
  prefix?: string;
}

export interface AuthorsRouterConfig {
  readonly prefix: string;
  readonly roles: Readonly<Partial<Record<AuthorRouteName, readonly string[]>>>;
  readonly user: ((request: unknown) => unknown) | undefined;
  readonly keyPrefix: string;
  readonly countTtlSeconds: number;
  readonly redisTimeoutMs: number;
}

const AUTHORS_DEFAULTS = Object.freeze({
  prefix: '',
  keyPrefix: 'audit-trail:',
  countTtlSeconds: 300,
  redisTimeoutMs: 200,
});

export const AUTHORS_OPTIONS = optionNames<AuthorsRouterOptions>({
  roles: true,
  user: true,
  keyPrefix: true,
  countTtlSeconds: true,
  redisTimeoutMs: true,
});
export const KOA_AUTHORS_OPTIONS = Object.freeze([...AUTHORS_OPTIONS, 'prefix']);

const ROUTE_NAMES: readonly AuthorRouteName[] = ['list', 'get', 'create', 'update', 'delete'];

export function resolveAuthorsOptions(options: KoaAuthorsRouterOptions = {}): AuthorsRouterConfig {
  const prefix = options.prefix ?? AUTHORS_DEFAULTS.prefix;
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw invalid(`prefix must start with "/" and not end with one, e.g. "/authors"; got "${prefix}".`);
  }
  const roles = options.roles ?? {};
  for (const [name, list] of Object.entries(roles)) {
    if (!ROUTE_NAMES.includes(name as AuthorRouteName)) throw invalid(`roles.${name} is not a route; use ${ROUTE_NAMES.join(', ')}.`);
    if (!Array.isArray(list) || !list.every((role) => typeof role === 'string')) {
      throw invalid(`roles.${name} must be an array of role names.`);
    }
  }
  return Object.freeze({
    prefix,
    roles: Object.freeze({ ...roles }),
    user: options.user as AuthorsRouterConfig['user'],
    keyPrefix: options.keyPrefix ?? AUTHORS_DEFAULTS.keyPrefix,
    countTtlSeconds: requireCount('countTtlSeconds', options.countTtlSeconds ?? AUTHORS_DEFAULTS.countTtlSeconds, 1),
    redisTimeoutMs: requireCount('redisTimeoutMs', options.redisTimeoutMs ?? AUTHORS_DEFAULTS.redisTimeoutMs, 1),
  });
}

function invalid(message: string): AuditTrailError {
  return new AuditTrailError('invalid_option', message);
}
