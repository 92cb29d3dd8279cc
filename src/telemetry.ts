import { EventEmitter } from 'node:events';
import type { Outcome } from './capture/outcome.js';
import type { QueryOperation } from './metrics/statement.js';

/** Why an event was not stored; every drop is counted under one of these. */
export type DropReason = 'unwritable' | 'capture_failed' | 'queue_full' | 'shutdown_timeout' | 'spill_failed';

/**
 * What the trail reports as it works, for the metrics route and for tests. Listeners must be cheap:
 * `request_*` events fire on the request path.
 */
export interface TelemetryEvents {
  request_started: [{ method: string }];
  request_finished: [{ method: string; route: string | undefined; status: number | undefined; durationSeconds: number }];
  recorded: [{ outcome: Outcome }];
  batch_written: [{ size: number; durationSeconds: number }];
  write_retried: [{ error: unknown }];
  dropped: [{ reason: DropReason; count: number }];
  events_spilled: [{ count: number }];
  events_replayed: [{ count: number }];
  count_cache: [{ result: 'hit' | 'miss' | 'error' }];
  /** One query on the trail's Sequelize, the host's own queries included when it is shared. */
  db_query: [{ operation: QueryOperation; durationSeconds: number; slow: boolean; failed: boolean }];
  /** An inbound WebSocket message, by action name (`GET_AUTHORS`, `MESSAGE`, …). */
  ws_message: [{ action: string }];
  /** A reply completed an inbound message's row after `durationSeconds`. */
  ws_reply: [{ action: string; durationSeconds: number }];
  /** A WebSocket row handed to the writer (messages, connects, disconnects, refusals). */
  ws_row: [{ action: string; outcome: Outcome }];
  /** An audited WebSocket connection opened or closed. */
  ws_connection: [{ open: boolean }];
  /** Rows a partitioned table's default partition held at the retention task's last round, before it moved them out. */
  partition_strays: [{ table: string; rows: number }];
  /** close() has finished; listeners detach here. */
  closed: [];
}

export class Telemetry extends EventEmitter<TelemetryEvents> {}
