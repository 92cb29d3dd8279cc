import { AsyncLocalStorage } from 'node:async_hooks';
import { ANONYMOUS, userFromClaims } from './capture/user.js';
import { newEventId } from './writer/event-id.js';

/** Who made a change: the request's user, the actor `runAs` gave, or `system`. */
export interface Actor {
  readonly userId: string;
  readonly username: string;
}

export const SYSTEM: Actor = Object.freeze({ userId: 'system', username: 'system' });

/** "Which request is this?", for work that runs on its behalf (a model write, a job step). */
export interface AuditContext {
  readonly requestId: string | null;
  /** The request's `user_actions.event_id`, handed out on first ask; null outside a request. */
  eventId(): string | null;
  actor(): Actor;
}

/** The row a context's changes point to: an HTTP request's, or a WebSocket message's, not written yet. */
export interface PendingRow {
  readonly requestId: string;
  /** Set by the first change that asks; the row is then recorded under it. */
  eventId?: string;
}

/**
 * One audited request (or WebSocket message). Nothing is computed until a change asks: the event id is
 * made then (and the row is recorded under it), and the user is read as it is at that moment, after the
 * host's authentication ran.
 */
class RequestContext<R> implements AuditContext {
  constructor(
    private readonly pending: PendingRow,
    private readonly request: R,
    private readonly userOf: (request: R) => unknown,
  ) {}

  get requestId(): string {
    return this.pending.requestId;
  }

  eventId(): string {
    return (this.pending.eventId ??= newEventId());
  }

  actor(): Actor {
    return userFromClaims(this.userOf(this.request)) ?? ANONYMOUS;
  }
}

/** `runAs(user, fn)`: the given actor, inside the request (if any) that called it. */
class ActorContext implements AuditContext {
  constructor(
    private readonly outer: AuditContext | undefined,
    private readonly given: Actor,
  ) {}

  get requestId(): string | null {
    return this.outer?.requestId ?? null;
  }

  eventId(): string | null {
    return this.outer?.eventId() ?? null;
  }

  actor(): Actor {
    return this.given;
  }
}

interface Shared {
  readonly storage: AsyncLocalStorage<AuditContext>;
  /**
   * Off until some Sequelize is tracked: AsyncLocalStorage costs every promise of the process a little once
   * it is used, so a host that tracks nothing never pays for it.
   */
  tracking: boolean;
}

/** One per process, whichever copy of the package (ESM, CJS, each adapter's bundle) set or reads it. */
const shared = ((globalThis as { [key: symbol]: Shared | undefined })[Symbol.for('audit-trail.context')] ??= {
  storage: new AsyncLocalStorage<AuditContext>(),
  tracking: false,
});
const { storage } = shared;

export function startTracking(): void {
  shared.tracking = true;
}

/** Whether the adapters should give each request its context. */
export function tracksRequests(): boolean {
  return shared.tracking;
}

/** Runs `next` (the rest of the request's middleware, or a message's listeners) with the request as its context. */
export function runInRequest<R, T>(pending: PendingRow, request: R, userOf: (request: R) => unknown, next: () => T): T {
  return storage.run(new RequestContext(pending, request, userOf), next);
}

/** Runs `fn` with `user` as the actor of every change it makes; the user is read as the middleware reads one. */
export function runAs<T>(user: unknown, fn: () => T): T {
  const actor = userFromClaims(user);
  if (!actor) throw new TypeError('runAs needs a user with an id or a name (e.g. { id, username })');
  return storage.run(new ActorContext(storage.getStore(), actor), fn);
}

/** The context of the code running now; undefined outside requests and runAs. */
export function currentContext(): AuditContext | undefined {
  return storage.getStore();
}
