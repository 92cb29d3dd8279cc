import { chainedInsert } from '../integrity/chained-insert.js';
import { batchRows } from '../store/batch-rows.js';
import type { QueuedEvent } from '../writer/queue.js';
import type { ChangeEvent } from './change-event.js';
import { CHANGE_COLUMNS } from './change-columns.js';

/** The columns in the order the host's thread hands them to the writer thread. */
const NAMES: readonly string[] = CHANGE_COLUMNS;
const LIST = NAMES.join(', ');

/** Like the user_actions statement: one JSON array of rows per batch; a change id already stored is skipped (by its unique key, partitioned or not). */
export const CHANGES_INSERT = `INSERT INTO user_action_changes (${LIST})
SELECT ${LIST} FROM ${batchRows('user_action_changes')}
ON CONFLICT DO NOTHING`;

/** The same with the chain on: the batch's new rows and their link, in one statement (src/integrity/chained-insert.ts). */
export const CHANGES_CHAINED_INSERT = chainedInsert('user_action_changes', LIST);

/** On the host's thread: plain values, which structured cloning copies cheaply. */
export function changeRowOf({ id, event: e }: QueuedEvent<ChangeEvent>): unknown[] {
  return [id, e.eventId, e.requestId, e.timestamp.getTime(), e.userId, e.username, e.model, e.tableName, e.recordId, e.operation, e.changes];
}

const KEYS = NAMES.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
const TIMESTAMP = NAMES.indexOf('timestamp');
const CHANGES = NAMES.indexOf('changes');

/** On the writer thread: the batch as the statement's one parameter; `changes` is JSON text already. */
export function changesDocumentOf(rows: readonly unknown[][]): string {
  const parts: string[] = [];
  for (const row of rows) {
    let text = '';
    for (let column = 0; column < KEYS.length; column++) {
      const value = row[column];
      const json = column === CHANGES ? (value as string) : column === TIMESTAMP ? `"${new Date(value as number).toISOString()}"` : JSON.stringify(value);
      text += KEYS[column] + json;
    }
    parts.push(`${text}}`);
  }
  return `[${parts.join(',')}]`;
}
