import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Outcome } from '../capture/outcome.js';
import { runInRequest, tracksRequests, type PendingRow } from '../context.js';
import { messageOf } from '../errors.js';
import { newEventId } from '../writer/event-id.js';
import { readInbound, readReply, type InboundMessage } from './message.js';
import type { WebSocketAuditConfig } from './options.js';
import type { WebSocketRecorder } from './recorder.js';
import type { AuditedSocket } from './socket-types.js';
import type { ConnectionActor, ConnectionColumns } from './ws-event.js';

/** An inbound message whose row is not written yet; the model changes its listeners make point to that row. */
interface OpenMessage extends PendingRow {
  readonly inbound: InboundMessage;
  readonly startedAt: Date;
  readonly startTick: number;
  /** From the trail's in-flight count: close() waits for the row, as for an HTTP request's. */
  readonly generation: number;
  done: boolean;
}

const NO_REPLY = 'no reply within replyTimeoutMs';
const CLOSED_FIRST = 'connection closed before the reply';
/**
 * Close codes of a connection that ended as it should: normal closure, going away, and 1005, what a close frame
 * without a code reads as (a browser's `close()` sends none).
 */
const NORMAL_CLOSE = new Set([1000, 1001, 1005]);
/**
 * How long `WS:CONNECT` waits for the host to authenticate after the upgrade (express-ws and koa-easy-ws run the
 * app's middleware then, maybe asynchronously); the first message or the close writes it sooner.
 */
const CONNECT_GRACE_MS = 1_000;

type Listener = (this: AuditedSocket, data: unknown, isBinary: boolean) => unknown;

/** One audited WebSocket: its messages, the replies that complete them, and its end. */
export class AuditedConnection {
  /** Messages awaiting their reply, oldest first, by the id the reply will carry. */
  private readonly awaiting = new Map<string, OpenMessage>();
  private timer: NodeJS.Timeout | undefined;
  private readonly openedAt = new Date();
  private readonly openTick = performance.now();
  private connectRecorded = false;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: WebSocketAuditConfig,
    private readonly recorder: WebSocketRecorder,
    private readonly columns: ConnectionColumns,
    private readonly actor: ConnectionActor,
    /** The upgrade request: who the connection's user is, for the changes its messages make. */
    private readonly request: IncomingMessage,
  ) {}

  opened(): void {
    if (!this.config.connections) return;
    this.connectTimer = setTimeout(() => this.recordConnect(), CONNECT_GRACE_MS).unref();
  }

  /**
   * The host's message listeners called as EventEmitter.emit would call them, with the message's row around them,
   * and, once trackChanges is on, inside the message's context (src/context.ts), as HTTP requests run.
   */
  dispatch(socket: AuditedSocket, data: unknown, isBinary: boolean): boolean {
    if (!this.connectRecorded) this.recordConnect();
    const message = this.receive(data, isBinary);
    const listeners = socket.rawListeners('message') as Listener[];
    if (message && tracksRequests()) runInRequest(message, this.request, this.config.user, () => this.callListeners(socket, listeners, message, data, isBinary));
    else this.callListeners(socket, listeners, message, data, isBinary);
    return listeners.length > 0;
  }

  private callListeners(socket: AuditedSocket, listeners: Listener[], message: OpenMessage | undefined, data: unknown, isBinary: boolean): void {
    let results: PromiseLike<unknown>[] | undefined;
    try {
      for (const listener of listeners) {
        const result = listener.call(socket, data, isBinary);
        if (isThenable(result)) (results ??= []).push(result);
      }
    } catch (thrown) {
      if (message) this.failed(message, thrown);
      throw thrown; // the host's error stays the host's
    }
    if (message) {
      if (results) this.settleAfter(message, results);
      else this.handled(message, undefined);
    }
  }

  /** Called with each outgoing message: a reply completes the row of the message it answers. */
  sending(data: unknown): void {
    if (this.awaiting.size === 0) return;
    try {
      const reply = readReply(data);
      const message = reply && this.awaiting.get(reply.replyKey);
      if (!reply || !message) return;
      this.awaiting.delete(reply.replyKey);
      const durationMs = performance.now() - message.startTick;
      const { telemetry } = this.recorder.trail;
      if (telemetry.listenerCount('ws_reply') > 0) telemetry.emit('ws_reply', { action: message.inbound.name, durationSeconds: durationMs / 1000 });
      this.complete(message, reply.status, reply.outcome, undefined, durationMs);
    } catch (error) {
      this.recorder.trail.config.logger.error(`WebSocket reply not matched: ${messageOf(error)}`);
    }
  }

  /** Writes what still awaits a reply, then `WS:DISCONNECT`. */
  closed(code: number, reason: Buffer): void {
    clearTimeout(this.timer);
    for (const message of this.awaiting.values()) this.unanswered(message, CLOSED_FIRST);
    this.awaiting.clear();
    this.recordConnect();
    if (!this.config.connections) return;
    const normal = NORMAL_CLOSE.has(code);
    const text = reason.length > 0 ? reason.toString() : `closed with code ${code}`;
    this.recordConnectionRow('DISCONNECT', code, normal ? 'success' : 'error', normal ? undefined : text, performance.now() - this.openTick, new Date());
  }

  private receive(data: unknown, isBinary: boolean): OpenMessage | undefined {
    try {
      const inbound = readInbound(data, isBinary, this.config);
      const { telemetry } = this.recorder.trail;
      if (telemetry.listenerCount('ws_message') > 0) telemetry.emit('ws_message', { action: inbound.name });
      const message: OpenMessage = {
        inbound,
        requestId: inbound.requestId,
        startedAt: new Date(),
        startTick: performance.now(),
        generation: this.recorder.trail.inFlight.begin(),
        done: false,
      };
      if (inbound.replyKey !== undefined) this.await(inbound.replyKey, message);
      return message;
    } catch (error) {
      this.recorder.trail.config.logger.error(`audit event for a WebSocket message dropped: ${messageOf(error)}`);
      this.recorder.trail.telemetry.emit('dropped', { reason: 'capture_failed', count: 1 });
      return undefined;
    }
  }

  /** Registered before the listeners run, so that a reply they send at once finds it. */
  private await(replyKey: string, message: OpenMessage): void {
    const earlier = this.awaiting.get(replyKey);
    if (earlier) {
      this.awaiting.delete(replyKey);
      this.unanswered(earlier, 'a later message reused its request id');
    }
    this.awaiting.set(replyKey, message);
    this.timer ??= setTimeout(() => this.expire(), this.config.replyTimeoutMs).unref();
  }

  /** The listeners have returned (or settled): a message that awaits no reply is complete. */
  private handled(message: OpenMessage, error: unknown): void {
    if (message.inbound.replyKey !== undefined && error === undefined) return;
    if (message.inbound.replyKey !== undefined) this.awaiting.delete(message.inbound.replyKey);
    const failure = message.inbound.error ?? error;
    this.complete(message, null, failure === undefined ? 'success' : 'error', failure, performance.now() - message.startTick);
  }

  private failed(message: OpenMessage, thrown: unknown): void {
    this.handled(message, thrown ?? new Error(String(thrown)));
  }

  /** Async listeners: the row waits for their promises; a rejection is recorded and left unhandled, as it was. */
  private settleAfter(message: OpenMessage, results: PromiseLike<unknown>[]): void {
    let left = results.length;
    let failure: unknown;
    const settled = () => {
      if (--left === 0) this.handled(message, failure);
    };
    for (const result of results) {
      Promise.resolve(result).then(settled, (reason: unknown) => {
        failure ??= reason ?? new Error(String(reason));
        settled();
        throw reason;
      });
    }
  }

  private unanswered(message: OpenMessage, why: string): void {
    this.complete(message, null, 'error', new Error(why), performance.now() - message.startTick);
  }

  /** Writes each message whose reply is overdue, then waits for the oldest one left. */
  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const [replyKey, message] of this.awaiting) {
      const left = message.startTick + this.config.replyTimeoutMs - now;
      if (left > 0) {
        this.timer = setTimeout(() => this.expire(), left).unref();
        return;
      }
      this.awaiting.delete(replyKey);
      this.unanswered(message, NO_REPLY);
    }
  }

  private complete(message: OpenMessage, status: number | null, outcome: Outcome, error: unknown, durationMs: number): void {
    if (message.done) return;
    message.done = true;
    const { inbound } = message;
    try {
      this.recorder.record(
        this.columns,
        this.actor,
        { name: inbound.name, requestId: message.requestId, startedAt: message.startedAt, durationMs, data: inbound.data, status, outcome, error },
        // Set now, as for an HTTP request's row: a change its work makes later still points to this row.
        (message.eventId ??= newEventId()),
      );
    } finally {
      this.recorder.trail.inFlight.end(message.generation);
    }
  }

  private recordConnect(): void {
    if (this.connectRecorded) return;
    this.connectRecorded = true;
    clearTimeout(this.connectTimer);
    if (!this.config.connections) return;
    this.recordConnectionRow('CONNECT', 101, 'success', undefined, 0, this.openedAt);
  }

  /** Connection rows carry the connection id as their request id, and no data. */
  private recordConnectionRow(name: string, status: number, outcome: Outcome, error: string | undefined, durationMs: number, startedAt: Date): void {
    const requestId = this.columns.connectionId;
    this.recorder.record(this.columns, this.actor, { name, requestId, startedAt, durationMs, data: undefined, status, outcome, error });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
