import type { EventPolicy } from '../capture/build-event.js';
import { messageOf } from '../errors.js';
import type { AuditTrail } from '../trail.js';
import { webSocketEvents, type ConnectionActor, type ConnectionColumns, type WebSocketEventBuilder, type WebSocketRow } from './ws-event.js';

/** Hands WebSocket rows to the trail's writer. Never throws into the host. */
export class WebSocketRecorder {
  private readonly build: WebSocketEventBuilder;

  constructor(
    readonly trail: AuditTrail,
    policy: EventPolicy,
  ) {
    this.build = webSocketEvents(policy);
  }

  /** `eventId`: the one a model change made by the message already points to (src/context.ts). */
  record(connection: ConnectionColumns, actor: ConnectionActor, row: WebSocketRow, eventId?: string): void {
    const { telemetry } = this.trail;
    try {
      const user = actor.current();
      if (user === undefined) return;
      // In strict mode the promise tells when the row is durable; a WebSocket has no response to hold.
      void this.trail.record(this.build(connection, user, row), eventId);
      if (telemetry.listenerCount('ws_row') > 0) telemetry.emit('ws_row', { action: row.name, outcome: row.outcome });
    } catch (error) {
      this.trail.config.logger.error(`audit event for WebSocket message ${row.requestId} dropped: ${messageOf(error)}`);
      telemetry.emit('dropped', { reason: 'capture_failed', count: 1 });
    }
  }
}
