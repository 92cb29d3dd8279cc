import { describe, expect, it } from 'vitest';
import { summarize } from '../../bench/summary.js';
import { sample } from './samples.js';

describe('summarize', () => {
  // Round 2 is a slow round for both: the median of per-round ratios cancels it, a ratio of medians would not.
  const samples = [
    sample('express', 1, { rps: 10_000, p99: 5, busy: 100, delayMax: 2 }),
    sample('express-audit', 1, { rps: 9_000, p99: 6, busy: 110, delayMax: 3 }),
    sample('express', 2, { rps: 4_000, p99: 20, busy: 250, delayMax: 9 }),
    sample('express-audit', 2, { rps: 3_600, p99: 21, busy: 260, delayMax: 30 }),
    sample('express', 3, { rps: 8_000, p99: 6, busy: 125, delayMax: 1 }),
    sample('express-audit', 3, { rps: 7_200, p99: 7, busy: 135, delayMax: 4 }),
  ];
  const [bare, audited] = summarize(samples);

  it('compares each server with its bare twin round by round, then takes the median', () => {
    expect(audited!.ratio).toBeCloseTo(0.9);
    expect(audited!.p99OverBareMs).toBeCloseTo(1);
    expect(audited!.busyOverBareMicros).toBeCloseTo(10);
    expect(audited!.mainThreadCpuOverBareMicros).toBeCloseTo(8);
    expect(bare!.ratio).toBe(1);
  });

  it("gives the median of each round's longest loop turn, and the longest of all", () => {
    expect(audited!.delay).toMatchObject({ maxMs: 4, worstMaxMs: 30 });
  });

  it('sums requests and rows over the rounds', () => {
    expect(audited).toMatchObject({ requests: 3_000, rows: 3_000 });
    expect(bare!.rows).toBeUndefined();
  });
});
