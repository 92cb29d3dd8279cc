import type { AuditEvent } from '../capture/event.js';
import { COLUMN_LIMITS } from '../capture/columns.js';
import { cutAt } from '../capture/text.js';
import { eventBytes } from './event-bytes.js';
import { eventOfRowText, rowTextOf, rowTextSize, type RowText } from './row-text.js';
import { revive } from './spilled-event.js';

/**
 * What the writer needs to know of one kind of row (a request's `user_actions` row, a model change's
 * `user_action_changes` row): each kind has its own queue, spill directory and table, and the same durability.
 */
export interface EntryKind<E> {
  /** About what an event holds in memory; cheap, with no serialization. */
  bytes(event: E): number;
  /** An event as read back from a spill line, whichever form the trail that spilled it held it in. */
  revive(stored: unknown): E;
  /** For a row the database refused: the event with one field replaced, likeliest culprit first. */
  fallbacks(event: E, reason: string): Iterable<readonly [field: string, event: E]>;
  /** How a log line names an unwritable event. */
  describe(event: E): string;
}

/** What replaces a field the database refused, tried in this order (likeliest culprit first). */
const FALLBACKS: ReadonlyArray<readonly [keyof AuditEvent, unknown]> = [
  ['requestData', null],
  ['userAgent', null],
  ['errorMessage', null],
  ['durationMs', null],
  ['responseStatus', null],
  ['ipAddress', null],
  ['requestId', null],
  ['userRoles', []],
  ['resource', '[unwritable]'],
  ['username', '[unwritable]'],
  ['userId', '[unwritable]'],
  ['actionType', '[unwritable]'],
];

/** A request's row in `user_actions`: a replaced field leaves a note in error_message. */
export const USER_ACTIONS: EntryKind<AuditEvent> = {
  bytes: eventBytes,
  // A PostgreSQL trail's spill holds row text.
  revive: (stored) => (typeof stored === 'string' ? eventOfRowText(stored) : revive(stored as AuditEvent)),
  *fallbacks(event, reason) {
    for (const [field, fallback] of FALLBACKS) {
      const note = `[audit-trail: ${field} could not be stored (${reason}) and was replaced]`;
      const original = event.errorMessage;
      const errorMessage = cutAt(field === 'errorMessage' || original === null ? note : `${original} ${note}`, COLUMN_LIMITS.errorMessage);
      yield [field, { ...event, [field]: fallback, errorMessage }];
    }
  },
  describe: (event) => `request ${event.requestId ?? 'unknown'}`,
};

/** What a row's text holds beyond its characters: the string and its queue entry. */
const ROW_TEXT_OVERHEAD = 64;

/** The same row on PostgreSQL, held as its text (see row-text.ts); the rare paths read the event back. */
export const POSTGRES_USER_ACTIONS: EntryKind<RowText> = {
  bytes: (text) => ROW_TEXT_OVERHEAD + rowTextSize(text),
  // A SQLite trail's spill, or an older version's, holds the event.
  revive: (stored) => (typeof stored === 'string' ? stored : rowTextOf(revive(stored as AuditEvent))),
  *fallbacks(text, reason) {
    for (const [field, event] of USER_ACTIONS.fallbacks(eventOfRowText(text), reason)) yield [field, rowTextOf(event)];
  },
  describe: (text) => USER_ACTIONS.describe(eventOfRowText(text)),
};
