import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ForetoldRows } from '../../src/integrity/foretold-rows.js';
import { jsonbText } from '../../src/integrity/jsonb-text.js';
import { toRow } from '../../src/store/user-action-row.js';
import { event } from './support.js';

const row = (changes: Record<string, unknown> = {}) => ({ ...toRow(event(1), randomUUID()), ...changes });

describe('lines foretold from the values the SQLite writer inserts', () => {
  it('F01 a typical batch, awkward text and JSON included, is foretold', () => {
    const rows = [
      row(),
      row({ username: 'é ü 中文 😀 \u2028 quote " backslash \\ $1 :name ?', user_roles: [], request_data: { b: [1, -0, 1e21, null], a: { '😀': true } } }),
      row({ ip_address: null, user_agent: null, request_data: null, response_status: null, duration_ms: null, timestamp: new Date('9998-12-30T23:59:59.999Z') }),
    ];
    expect(ForetoldRows.of('user_actions', rows)).toBeDefined();
  });

  it('F02 a value whose stored text is not certain, or two rows of one key, leave the batch to be read back', () => {
    const unsure: Array<Record<string, unknown>> = [
      { username: 'lone \ud800 surrogate' }, // written as U+FFFD
      { user_agent: 'ends at \u0000 NUL' },
      { user_id: 12 }, // a number where text is expected
      { user_agent: undefined },
      { timestamp: new Date('+010000-01-01T00:00:00Z') }, // strftime gives NULL
      { timestamp: new Date(Number.NaN) },
      { timestamp: '2026-01-02T03:04:05Z' },
      { duration_ms: 0.1 + 0.2 }, // read back through SQLite's own text of a double
      { response_status: 2 ** 60 }, // an INTEGER the driver gives back as a double
      { request_data: 12.5 }, // a top-level number is stored as a REAL
      { request_data: 'a scalar string' },
      { user_roles: ['reader', undefined] }, // JSON.stringify writes null
      { request_data: { at: new Date(0) } }, // JSON.stringify writes the Date's toJSON()
      { event_id: '12345' }, // NUMERIC affinity would store a number
    ];
    for (const changes of unsure) expect(ForetoldRows.of('user_actions', [row(), row(changes)]), JSON.stringify(changes)).toBeUndefined();
    const twice = row();
    expect(ForetoldRows.of('user_actions', [twice, row(), { ...twice }])).toBeUndefined();
  });

  it('F03 jsonbText throws for what JSON.parse never makes, so that no text is promised for it', () => {
    // eslint-disable-next-line no-sparse-arrays -- a hole is the point
    for (const value of [undefined, () => 1, [1, , 2], new Date(0), new Map(), Object.create(null), { a: undefined }, 1n]) {
      expect(() => jsonbText(value)).toThrow(TypeError);
    }
    expect(jsonbText({ é: 1, b: 'x', aa: [true, null, 1e-7] })).toBe('{"b": "x", "aa": [true, null, 0.0000001], "é": 1}');
  });
});
