import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AuditTrailError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';

/** What a guard sees of a scrape, whatever the framework. */
export interface MetricsRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The socket's remote address. */
  readonly peer: string | undefined;
  /** The framework's own request (Express `req`, Koa `ctx`), as an escape hatch. */
  readonly raw: unknown;
}

export interface BasicAuthCredentials {
  readonly username: string;
  readonly password: string;
}

/** Basic-auth credentials, or a function that says whether this scrape may read the metrics. */
export type MetricsGuard = BasicAuthCredentials | ((request: MetricsRequest) => boolean | Promise<boolean>);

export type GuardVerdict = 'allowed' | 'unauthenticated' | 'forbidden';

export function compileGuard(guard: MetricsGuard | undefined, logger: Logger): (request: MetricsRequest) => Promise<GuardVerdict> {
  if (guard === undefined) return async () => 'allowed';
  if (typeof guard === 'function') {
    return async (request) => {
      try {
        return (await guard(request)) === true ? 'allowed' : 'forbidden';
      } catch (error) {
        logger.warn(`the metrics guard threw, so the scrape was refused: ${messageOf(error)}`);
        return 'forbidden';
      }
    };
  }
  if (typeof guard?.username !== 'string' || typeof guard.password !== 'string' || guard.password === '' || guard.username.includes(':')) {
    throw new AuditTrailError('invalid_option', 'guard must be { username, password } (strings, a non-empty password, no ":" in the username) or a function (request) => boolean.');
  }
  const expectedUser = digest(guard.username);
  const expectedPassword = digest(guard.password);
  return async ({ headers }) => {
    const credentials = basicCredentials(headers.authorization);
    if (!credentials) return 'unauthenticated';
    // Digests have one length, so the comparison takes as long whatever was sent; both halves always run.
    const userMatches = timingSafeEqual(digest(credentials.username), expectedUser);
    const passwordMatches = timingSafeEqual(digest(credentials.password), expectedPassword);
    return userMatches && passwordMatches ? 'allowed' : 'unauthenticated';
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function basicCredentials(header: string | undefined): BasicAuthCredentials | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '')?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
