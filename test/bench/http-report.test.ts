import { describe, expect, it } from 'vitest';
import { overviewTable } from '../../bench/http-report.js';
import { summarize } from '../../bench/summary.js';
import { sample } from './samples.js';

describe('the overview table', () => {
  const get = summarize([sample('express', 1, { rps: 10_000, p99: 5, busy: 100 }), sample('express-audit', 1, { rps: 9_000, p99: 6, busy: 112, lost: 2 })]);
  const fixed = summarize([sample('express', 1, { rps: 3_000, p99: 4, busy: 90, delayMax: 2 }), sample('express-audit', 1, { rps: 3_000, p99: 5.5, busy: 100, delayMax: 3 })]);
  const rows = overviewTable({ get, fixed }, 3_000).split('\n');
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());

  it("puts each server's figures from every part on one row, and a dash for the parts that did not run", () => {
    expect(cells(rows[3]!)).toEqual(['Express + auditTrail (PG)', '0.90×', '–', '112', '+12.0', '5.50', '+1.50', '1.00 / 3.0', '–', '–', '2']);
  });

  it('counts no lost rows for a server that does not audit', () => {
    expect(cells(rows[2]!).at(-1)).toBe('–');
  });
});
