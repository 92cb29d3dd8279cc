import { AuditTrailError } from '../errors.js';
import { optionNames } from '../option-keys.js';

/**
 * The audit-log routes by name: `GET /`, `GET /:id`, `GET /export`, the three reports, the model changes
 * (`GET /changes`, `GET /:eventId/changes`) and, with `viewer: true`, the page (`GET /` asking for HTML) and its script.
 */
export type AuditLogRouteName =
  | 'entries.list'
  | 'entries.get'
  | 'entries.export'
  | 'reports.failed'
  | 'reports.slow'
  | 'reports.timeline'
  | 'chain.verify'
  | 'changes.list'
  | 'changes.ofEntry'
  | 'viewer.page'
  | 'viewer.script';

/** What `authorize` sees of a request to the audit-log routes. */
export interface AuditLogRequest {
  /** The host's user, as the audit rows read it (`req.user`, `ctx.state.user`, or your `user` function). */
  readonly user: unknown;
  /** That user's roles, Keycloak realm and client roles included; empty for no user. */
  readonly roles: readonly string[];
  readonly method: string;
  /** The path under the mount point as the client sent it, e.g. `/reports/slow/`; write rules against `route`. */
  readonly path: string;
  /**
   * The route the router matched, whatever the spelling of the path (a trailing slash, the mount's case
   * on Express, percent-encoded parameters): its name, template and decoded parameters.
   */
  readonly route: { readonly name: AuditLogRouteName; readonly template: string; readonly params: Readonly<Record<string, string>> };
  /** Express `req` or Koa `ctx`, for anything else. */
  readonly raw: unknown;
}

/** Express's `auditLogRouter` options; Express takes the routes' path from `app.use`. */
export interface AuditLogRouterOptions {
  /** Required: who may read the trail. Anything but `true` answers 403; a throw answers 500. Either way nothing is read. */
  authorize: (request: AuditLogRequest) => boolean | Promise<boolean>;
  /** `(req)` (Express) or `(ctx)` (Koa) → the user's claims. Default: `req.user` / `ctx.state.user`. */
  user?: (request: never) => unknown;
  /** Serve the built-in viewer: a browser's `GET <mount>/` gets a page instead of JSON. Default false. */
  viewer?: boolean;
}

/** Koa's `auditLogRouter` options: a Koa middleware sees every path, so it is told where the routes live. */
export interface KoaAuditLogRouterOptions extends AuditLogRouterOptions {
  /** The path the routes live under, e.g. `/audit-log`. */
  prefix?: string;
}

export interface AuditLogRouterConfig {
  readonly authorize: AuditLogRouterOptions['authorize'];
  readonly prefix: string;
  readonly user: ((request: unknown) => unknown) | undefined;
  readonly viewer: boolean;
}

export const AUDIT_LOG_OPTIONS = optionNames<AuditLogRouterOptions>({ authorize: true, user: true, viewer: true });
export const KOA_AUDIT_LOG_OPTIONS = Object.freeze([...AUDIT_LOG_OPTIONS, 'prefix']);

/** Reading the trail is privileged: without an authorize function the router refuses to mount. */
export function resolveAuditLogOptions(options: Partial<KoaAuditLogRouterOptions> | undefined): AuditLogRouterConfig {
  if (typeof options?.authorize !== 'function') {
    throw new AuditTrailError(
      'invalid_option',
      'auditLogRouter needs { authorize }: reading the audit trail is privileged. For example ' +
        "{ authorize: ({ roles }) => roles.includes('audit-reader') }; pass () => true only to open it on purpose.",
    );
  }
  const prefix = options.prefix ?? '';
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new AuditTrailError('invalid_option', `prefix must start with "/" and not end with one, e.g. "/audit-log"; got "${prefix}".`);
  }
  const viewer = options.viewer ?? false;
  if (typeof viewer !== 'boolean') throw new AuditTrailError('invalid_option', `viewer must be true or false; got ${JSON.stringify(viewer)}.`);
  return Object.freeze({ authorize: options.authorize, prefix, user: options.user as AuditLogRouterConfig['user'], viewer });
}
