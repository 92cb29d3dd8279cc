import type { IncomingHttpHeaders } from 'node:http';
import { messageOf } from '../errors.js';
import { clientIp, type TrustFn } from './client-ip.js';
import { clip, COLUMN_LIMITS } from './columns.js';
import { cutAt } from './text.js';
import type { AuditEvent } from './event.js';
import { outcomeOf } from './outcome.js';
import type { Sanitizer } from './sanitize.js';
import { ANONYMOUS, userFromClaims } from './user.js';

/** What an adapter reads when the response has finished or was aborted. */
export interface FinishedResponse {
  readonly user: unknown;
  readonly body: unknown;
  readonly query: unknown;
  /** The matched route template, e.g. `/authors/:id`. */
  readonly route: string | undefined;
  /** The status sent; undefined when no response went out. */
  readonly status: number | undefined;
  readonly error: unknown;
  readonly aborted: boolean;
}

/** Everything an adapter saw of one request, in framework-neutral terms. */
export interface ObservedRequest extends FinishedResponse {
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly method: string;
  /** The URL path, without the query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The socket peer's address. */
  readonly peer: string | undefined;
  readonly trust: TrustFn;
  readonly requestId: string;
}

export interface EventPolicy {
  readonly recordAnonymous: boolean;
  readonly sanitize: Sanitizer;
}

const NON_JSON_BODY = '[non-JSON body omitted]';

/** One observed request as one `user_actions` row; undefined for an anonymous request the host opted out of. */
export function buildEvent(request: ObservedRequest, policy: EventPolicy): AuditEvent | undefined {
  const actor = actorOf(request.user, policy.recordAnonymous);
  if (!actor) return undefined;
  return {
    timestamp: request.startedAt,
    userId: actor.userId,
    username: actor.username,
    userRoles: actor.userRoles,
    actionType: clip(request.method, COLUMN_LIMITS.actionType)!,
    resource: redacted(request.path, COLUMN_LIMITS.resource, policy)!,
    outcome: outcomeOf(request.status, { error: request.error, aborted: request.aborted }),
    ipAddress: clientIp(request.peer, request.headers, request.trust),
    userAgent: clip(request.headers['user-agent'], COLUMN_LIMITS.userAgent),
    requestId: request.requestId,
    requestData: requestData(request, policy),
    responseStatus: request.status ?? null,
    errorMessage: request.error === undefined ? null : redacted(messageOf(request.error), COLUMN_LIMITS.errorMessage, policy),
    durationMs: Math.round(request.durationMs),
  };
}

/** The user columns of a row. */
export type Actor = Pick<AuditEvent, 'userId' | 'username' | 'userRoles'>;

/** Who acted, from the host's claims, as stored; anonymous, or undefined when the host records no anonymous actions. */
export function actorOf(claims: unknown, recordAnonymous: boolean): Actor | undefined {
  const user = userFromClaims(claims) ?? (recordAnonymous ? ANONYMOUS : undefined);
  if (!user) return undefined;
  return {
    userId: clip(user.userId, COLUMN_LIMITS.userId)!,
    username: clip(user.username, COLUMN_LIMITS.username)!,
    // Fresh from userFromClaims, or ANONYMOUS's frozen empty list: nothing else holds it.
    userRoles: user.roles,
  };
}

/** Free text cut to its column, its secrets redacted; cut first so that a huge message is never scanned in full. */
export function redacted(text: string, max: number, policy: EventPolicy): string | null {
  return clip(policy.sanitize.text(cutAt(text, max)), max);
}

/**
 * `{ query, route, body }` as stored JSON text, sanitized together so that one size budget covers the
 * whole column. Query and route come first, so a large body is cut rather than pushing them out.
 */
function requestData(request: ObservedRequest, policy: EventPolicy): string {
  const body = typeof request.body === 'string' ? NON_JSON_BODY : request.body;
  return policy.sanitize.object({ query: request.query, route: request.route, body });
}
