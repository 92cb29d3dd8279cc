import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { POSTGRES_USER_ACTIONS } from '../../src/writer/entry-kind.js';
import { documentOf, idsAndRowsOf } from '../../src/writer/postgres-fast-path.js';
import { eventOfRowText, LargeRowText, ROW_TEXT_COLUMNS, rowTextOf, textOfRow } from '../../src/writer/row-text.js';

const EVENT: AuditEvent = {
  timestamp: new Date('2026-12-06T10:11:12.345Z'),
  userId: 'u-1',
  username: 'ada',
  userRoles: ['reader', 'get-authors'],
  actionType: 'POST',
  resource: '/authors/7',
  outcome: 'success',
  ipAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  requestId: 'req-1',
  requestData: JSON.stringify({ query: {}, route: '/authors/:id', body: { name: 'Ada' } }),
  responseStatus: 201,
  errorMessage: null,
  durationMs: 3.5,
};

/** What JSON.stringify makes of the same row: the reference the hand-built text must equal. */
const reference = (e: AuditEvent) =>
  JSON.stringify({
    timestamp: e.timestamp,
    user_id: e.userId,
    username: e.username,
    user_roles: e.userRoles,
    action_type: e.actionType,
    resource: e.resource,
    outcome: e.outcome,
    ip_address: e.ipAddress,
    user_agent: e.userAgent,
    request_id: e.requestId,
    request_data: e.requestData === null ? null : JSON.parse(e.requestData),
    response_status: e.responseStatus,
    error_message: e.errorMessage,
    duration_ms: e.durationMs,
  });

describe('a row as its JSON text', () => {
  it('R01 is the JSON of every column, in ROW_TEXT_COLUMNS order', () => {
    expect(rowTextOf(EVENT)).toBe(reference(EVENT));
    expect(Object.keys(JSON.parse(textOfRow(rowTextOf(EVENT))))).toEqual([...ROW_TEXT_COLUMNS]);
    // The tamper chain's canonical form lists the columns in this order: changing it breaks every chain.
    expect(ROW_TEXT_COLUMNS).toEqual([
      'timestamp',
      'user_id',
      'username',
      'user_roles',
      'action_type',
      'resource',
      'outcome',
      'ip_address',
      'user_agent',
      'request_id',
      'request_data',
      'response_status',
      'error_message',
      'duration_ms',
    ]);
  });

  it('R02 escapes what JSON must: quotes, backslashes, control characters, lone surrogates', () => {
    const awkward = ['say "hi"', 'C:\\path', 'line\nbreak\ttab\u0001', 'lone \ud800 surrogate', 'pair 😀', 'é \u2028 ok'];
    for (const value of awkward) {
      const event = { ...EVENT, username: value, userAgent: value, errorMessage: value, userRoles: [value, 'plain'] };
      expect(rowTextOf(event)).toBe(reference(event));
      expect(eventOfRowText(rowTextOf(event))).toEqual(event);
    }
  });

  it('R03 writes null for absent values and numbers JSON cannot hold, and reads the event back', () => {
    const sparse = { ...EVENT, ipAddress: null, userAgent: null, requestId: null, requestData: null, responseStatus: null, durationMs: Number.NaN };
    expect(JSON.parse(textOfRow(rowTextOf(sparse)))).toMatchObject({ ip_address: null, request_data: null, response_status: null, duration_ms: null });
    expect(eventOfRowText(rowTextOf(EVENT))).toEqual(EVENT);
  });

  it('R04 holds a large row as UTF-8 bytes that copy to the writer thread, spill and read back as the same text', () => {
    const body = JSON.stringify({ text: 'Lorem ipsum é 😀 "quoted" '.repeat(1_000) });
    const large = { ...EVENT, requestData: body, username: 'zoë' };
    const row = rowTextOf(large);
    expect(row).toBeInstanceOf(LargeRowText);
    const text = reference(large);
    expect(textOfRow(row)).toBe(text);
    expect(eventOfRowText(row)).toEqual(large);
    // A spill line holds its text, which revives as a string row.
    expect(JSON.parse(JSON.stringify({ id: 'e-1', event: row })).event).toBe(text);
    // postMessage copies it without its class; the writer thread reads the same document as from the text.
    const copied = structuredClone(idsAndRowsOf([{ id: 'e-1', event: row }]));
    expect(documentOf(copied)).toBe(documentOf(['e-1', text]));
    expect(POSTGRES_USER_ACTIONS.bytes(row)).toBe(POSTGRES_USER_ACTIONS.bytes(text) + Buffer.byteLength(text) - text.length);
    // A typical request's row stays a string.
    expect(typeof rowTextOf(EVENT)).toBe('string');
  });
});
