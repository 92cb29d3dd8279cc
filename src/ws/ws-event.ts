import { actorOf, redacted, type Actor, type EventPolicy } from '../capture/build-event.js';
import { clip, COLUMN_LIMITS } from '../capture/columns.js';
import type { AuditEvent } from '../capture/event.js';
import { memoized } from '../capture/memo.js';
import type { Outcome } from '../capture/outcome.js';
import { messageOf } from '../errors.js';

/** What one connection contributes to each of its rows; worked out once, at the upgrade. */
export interface ConnectionColumns {
  readonly connectionId: string;
  readonly path: string;
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
}

/** One row's own part. */
export interface WebSocketRow {
  readonly name: string;
  readonly requestId: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly data: unknown;
  readonly status: number | null;
  readonly outcome: Outcome;
  readonly error: unknown;
}

/** Who a connection's rows name: the user is read for every row, as a host may authenticate after the upgrade (express-ws runs the app's middleware then). */
export class ConnectionActor {
  private lastClaims: unknown;
  private lastActor: Actor | undefined;

  constructor(
    private readonly claims: () => unknown,
    private readonly recordAnonymous: boolean,
  ) {}

  /** The same claims object, as almost always, gives the same columns without reading them again. */
  current(): Actor | undefined {
    const claims = this.claims();
    if (claims !== this.lastClaims || this.lastActor === undefined) {
      this.lastClaims = claims;
      this.lastActor = actorOf(claims, this.recordAnonymous);
    }
    return this.lastActor;
  }
}

export type WebSocketEventBuilder = (connection: ConnectionColumns, actor: Actor, row: WebSocketRow) => AuditEvent;

/** Rows as audit events, with the same size and redaction rules as HTTP. */
export function webSocketEvents(policy: EventPolicy): WebSocketEventBuilder {
  // `WS:<name>` and `WebSocket:<name>`, as stored: names repeat, so each is cut and redacted once.
  const columnsOf = memoized((name) => ({
    actionType: clip(`WS:${name}`, COLUMN_LIMITS.actionType)!,
    resource: redacted(`WebSocket:${name}`, COLUMN_LIMITS.resource, policy)!,
  }));
  return (connection, actor, row) => {
    const { actionType, resource } = columnsOf(row.name);
    return {
      timestamp: row.startedAt,
      userId: actor.userId,
      username: actor.username,
      userRoles: actor.userRoles,
      actionType,
      resource,
      outcome: row.outcome,
      ipAddress: connection.ipAddress,
      userAgent: connection.userAgent,
      requestId: row.requestId,
      // The connection's fields first: a large payload is cut rather than pushing them out.
      requestData: policy.sanitize.object({ path: connection.path, connection_id: connection.connectionId, data: row.data }),
      responseStatus: row.status,
      errorMessage: row.error === undefined ? null : redacted(messageOf(row.error), COLUMN_LIMITS.errorMessage, policy),
      durationMs: Math.round(row.durationMs),
    };
  };
}
