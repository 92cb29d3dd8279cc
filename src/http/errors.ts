import { AuditTrailError, messageOf, type RequestErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { HttpResponse } from './types.js';

/** Every code a client can be answered with; the compiler checks that each has its status. */
const HTTP_STATUS: Readonly<Record<RequestErrorCode, number>> = Object.freeze({
  invalid_body: 400,
  invalid_query: 400,
  invalid_id: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
});

/** The one JSON shape of every error a route answers. */
interface ErrorBody {
  readonly error: { readonly code: RequestErrorCode | 'internal_error'; readonly message: string };
}

export function requestError(code: RequestErrorCode, message: string): AuditTrailError {
  return new AuditTrailError(code, message);
}

function isRequestError(thrown: unknown): thrown is AuditTrailError & { code: RequestErrorCode } {
  return thrown instanceof AuditTrailError && Object.hasOwn(HTTP_STATUS, thrown.code);
}

/**
 * Whatever a handler threw, as a response. A request error tells the client what to fix; anything
 * else is logged and answered with a bare 500, since its message may name hosts or SQL.
 */
export function errorResponse(thrown: unknown, logger: Logger): HttpResponse {
  if (isRequestError(thrown)) {
    const body: ErrorBody = { error: { code: thrown.code, message: thrown.message } };
    return { status: HTTP_STATUS[thrown.code], body };
  }
  logger.error(`route failed: ${messageOf(thrown)}`);
  const body: ErrorBody = { error: { code: 'internal_error', message: 'internal error' } };
  return { status: 500, body };
}
