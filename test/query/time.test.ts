import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/query/cursor.js';
import { durationMs, toInstant } from '../../src/query/time.js';

const now = new Date('2026-11-25T12:00:00.000Z');

describe('time arguments', () => {
  it('reads durations back from now', () => {
    expect(toInstant('30s', 'since', now)).toEqual(new Date('2026-11-25T11:59:30.000Z'));
    expect(toInstant('15m', 'since', now)).toEqual(new Date('2026-11-25T11:45:00.000Z'));
    expect(toInstant('24h', 'since', now)).toEqual(new Date('2026-11-24T12:00:00.000Z'));
    expect(toInstant('365d', 'since', now)).toEqual(new Date('2025-11-25T12:00:00.000Z'));
    expect(durationMs('2h', 'every')).toBe(7_200_000);
  });

  it('takes Dates and ISO 8601 strings as they are', () => {
    expect(toInstant(now, 'from')).toBe(now);
    expect(toInstant('2026-11-24T08:30:00Z', 'from')).toEqual(new Date('2026-11-24T08:30:00.000Z'));
    expect(toInstant('2026-11-24T08:30:00.123+02:00', 'from')).toEqual(new Date('2026-11-24T06:30:00.123Z'));
    expect(toInstant('2026-11-24', 'from')).toEqual(new Date('2026-11-24T00:00:00.000Z'));
  });

  it('refuses anything else with invalid_query, naming the argument', () => {
    for (const bad of ['yesterday', '24', '1w', '-5m', 'March 7', '', new Date(Number.NaN), 42 as never]) {
      expect(() => toInstant(bad, 'olderThan', now)).toThrow(expect.objectContaining({ code: 'invalid_query', message: expect.stringContaining('olderThan must be') }));
    }
  });
});

describe('instants outside years 1 to 9999', () => {
  it('are refused with invalid_query, whether typed, counted back or given as a Date', () => {
    for (const bad of ['0000-01-01', '0000-12-31T23:59:59Z', '99999999999d', new Date(Date.parse('+010000-01-01T00:00:00Z'))]) {
      expect(() => toInstant(bad, 'from', now)).toThrow(
        expect.objectContaining({ code: 'invalid_query', message: expect.stringContaining('from must be between 0001-01-01 and 9999-12-31') }),
      );
    }
    expect(toInstant('0001-01-01', 'from', now)).toEqual(new Date('0001-01-01T00:00:00.000Z'));
  });
});

describe('cursors', () => {
  it('round-trip a position, opaque and URL-safe', () => {
    const position = { timestamp: new Date('2026-11-24T08:30:00.123Z'), id: 42 };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('refuse what they did not make', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of ['%%%', forged({ t: '2026-11-24T08:30:00Z' }), forged({ t: 'soon', i: 1 }), forged({ t: '2026-11-24T08:30:00Z', i: -1 }), forged(null)]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'invalid_query' }));
    }
  });
});
