import type { AuditEvent } from '../capture/event.js';
import type { QueuedEvent } from './queue.js';

/**
 * Each column but event_id: the array type its values travel as, how the host's thread reads it from an
 * event (a plain value, which structured cloning copies cheaply), and how the writer thread turns that
 * value into what PostgreSQL binds, where it is not bound as it is.
 */
type Column = readonly [name: string, type: string, read: (event: AuditEvent) => unknown, bind?: (value: never) => unknown];

export const COLUMNS: readonly Column[] = [
  ['timestamp', 'timestamptz', (e) => e.timestamp.getTime(), (ms: number) => new Date(ms).toISOString()],
  ['user_id', 'varchar', (e) => e.userId],
  ['username', 'varchar', (e) => e.username],
  ['user_roles', 'jsonb', (e) => e.userRoles, (roles: string[]) => JSON.stringify(roles)],
  ['action_type', 'varchar', (e) => e.actionType],
  ['resource', 'varchar', (e) => e.resource],
  ['outcome', 'varchar', (e) => e.outcome],
  ['ip_address', 'varchar', (e) => e.ipAddress],
  ['user_agent', 'text', (e) => e.userAgent],
  ['request_id', 'varchar', (e) => e.requestId],
  ['request_data', 'jsonb', (e) => e.requestData, (data: unknown) => (data === null || data === undefined ? null : JSON.stringify(data))],
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

/** On the host's thread: one event as the worker receives it, its values in COLUMNS order, then its event id. */
export function rowOf({ id, event }: QueuedEvent): unknown[] {
  const row = COLUMNS.map(([, , read]) => read(event));
  row.push(id);
  return row;
}

/** On the writer thread: rows become one array per column, the statement's parameters. */
export function columnsOf(rows: readonly unknown[][]): unknown[][] {
  return [
    ...COLUMNS.map(([, , , bind], column) => rows.map((row) => (bind ? bind(row[column] as never) : row[column]))),
    rows.map((row) => row[COLUMNS.length]),
  ];
}

/** Told of every INSERT, which bypasses Sequelize's query hooks. */
export type QueryReport = (statement: string, durationMs: number, failed: boolean) => void;
