import { AuditTrailError } from '../errors.js';
import type { Logger } from '../logger.js';
import { optionNames, requireKnownOptions } from '../option-keys.js';
import { compileTrust, type TrustFn, type TrustProxy } from './client-ip.js';
import type { SanitizeOptions } from './sanitize.js';

type SkipRule = string | RegExp;

/** What an adapter mount adds to the trail's options: how requests become events. */
export interface CaptureOptions {
  /** Express's `trust proxy` semantics. Default: the framework's own setting, else `false`. */
  trustProxy?: TrustProxy;
  /** Who made the request, from the framework's request (Express `req`, Koa `ctx`). Default: `req.user` / `ctx.state.user`. */
  user?: (request: never) => unknown;
  /** Record requests that carry no user, as `anonymous`. */
  recordAnonymous?: boolean;
  /** Paths never recorded: exact paths (and everything under them) or patterns, or a function of the path. */
  skip?: SkipRule[] | ((path: string) => boolean);
  /** Redaction and size caps for the stored request body and query. */
  sanitize?: SanitizeOptions;
}

export interface CaptureConfig {
  readonly trust: TrustFn | undefined;
  readonly user: ((request: unknown) => unknown) | undefined;
  readonly recordAnonymous: boolean;
  readonly skip: (path: string) => boolean;
  readonly sanitize: SanitizeOptions;
}

const CAPTURE_DEFAULTS = Object.freeze({
  recordAnonymous: true,
  skip: Object.freeze(['/metrics', '/health', '/healthz', '/livez', '/readyz']) as readonly SkipRule[],
});

export const CAPTURE_OPTIONS = optionNames<CaptureOptions>({ trustProxy: true, user: true, recordAnonymous: true, skip: true, sanitize: true });
const SANITIZE_OPTIONS = optionNames<SanitizeOptions>({ redactKeys: true, redact: true, maxDepth: true, maxKeys: true, maxBytes: true, redactText: true });

/** Options arrive here already checked for misspellings by `resolveMount`, which knows which keys are the trail's. */
export function resolveCaptureOptions(options: CaptureOptions, logger: Logger): CaptureConfig {
  requireKnownOptions(options.sanitize ?? {}, SANITIZE_OPTIONS, 'sanitize.');
  if (options.user !== undefined && typeof options.user !== 'function') {
    throw new AuditTrailError('invalid_option', 'user must be a function (request) => user claims.');
  }
  return Object.freeze({
    trust: options.trustProxy === undefined ? undefined : compileTrust(options.trustProxy, (message) => logger.warn(message)),
    user: options.user as CaptureConfig['user'],
    recordAnonymous: options.recordAnonymous ?? CAPTURE_DEFAULTS.recordAnonymous,
    skip: skipMatcher(options.skip ?? CAPTURE_DEFAULTS.skip),
    sanitize: options.sanitize ?? {},
  });
}

function skipMatcher(skip: readonly SkipRule[] | ((path: string) => boolean)): (path: string) => boolean {
  if (typeof skip === 'function') return skip;
  for (const rule of skip) {
    if (typeof rule !== 'string' && !(rule instanceof RegExp)) {
      throw new AuditTrailError('invalid_option', 'skip must list path strings or RegExps, or be a function (path) => boolean.');
    }
  }
  const exact = new Set(skip.filter((rule) => typeof rule === 'string'));
  const prefixes = [...exact].map((rule) => (rule.endsWith('/') ? rule : `${rule}/`));
  const patterns = skip.filter((rule) => rule instanceof RegExp);
  return (path) => exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix)) || patterns.some((pattern) => pattern.test(path));
}
