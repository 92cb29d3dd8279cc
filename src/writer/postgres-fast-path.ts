import type { AuditEvent } from '../capture/event.js';
import type { QueuedEvent } from './queue.js';

/** Each column but event_id, with the array type its values travel as, and how to read it from an event. */
export const COLUMNS: ReadonlyArray<readonly [name: string, type: string, value: (event: AuditEvent) => unknown]> = [
  ['timestamp', 'timestamptz', (e) => e.timestamp.toISOString()],
  ['user_id', 'varchar', (e) => e.userId],
  ['username', 'varchar', (e) => e.username],
  ['user_roles', 'jsonb', (e) => JSON.stringify(e.userRoles)],
  ['action_type', 'varchar', (e) => e.actionType],
  ['resource', 'varchar', (e) => e.resource],
  ['outcome', 'varchar', (e) => e.outcome],
  ['ip_address', 'varchar', (e) => e.ipAddress],
  ['user_agent', 'text', (e) => e.userAgent],
  ['request_id', 'varchar', (e) => e.requestId],
  ['request_data', 'jsonb', (e) => e.requestData],
  ['response_status', 'int4', (e) => e.responseStatus],
  ['error_message', 'text', (e) => e.errorMessage],
  ['duration_ms', 'int4', (e) => e.durationMs],
];

/**
 * One statement per batch, whatever its size: one array parameter per column, expanded by unnest.
 * Values stay bound parameters, and the 65,535-parameter cap of a VALUES list never applies.
 * bench/writer.ts measured this against COPY and bulkCreate; COPY cannot skip rows already stored.
 */
export const INSERT = `INSERT INTO user_actions (${COLUMNS.map(([name]) => name).join(', ')}, event_id)
SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}, $${COLUMNS.length + 1}::uuid[])
ON CONFLICT (event_id) DO NOTHING`;

/** A write that hangs (a silent network cut) must end, so that the batch can be retried or spilled. */
export const WRITE_TIMEOUT_MS = 15_000;

export function columnsOf(entries: readonly QueuedEvent[]): unknown[][] {
  const columns: unknown[][] = COLUMNS.map(() => new Array(entries.length));
  const ids = new Array<string>(entries.length);
  entries.forEach(({ id, event }, row) => {
    COLUMNS.forEach(([, , value], column) => (columns[column]![row] = value(event)));
    ids[row] = id;
  });
  return [...columns, ids];
}

/** Told of every INSERT, which bypasses Sequelize's query hooks. */
export type QueryReport = (statement: string, durationMs: number, failed: boolean) => void;
