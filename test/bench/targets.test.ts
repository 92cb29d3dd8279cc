import { describe, expect, it } from 'vitest';
import { atLeast, atMost, exactly, formats, targetsBlock } from '../../bench/targets.js';

describe('bench targets', () => {
  it('states the margin of a met target and the shortfall of a missed one', () => {
    expect(atLeast('ratio', 0.9, 0.85, formats.ratio)).toMatchObject({ met: true, gap: 'margin 0.05×' });
    expect(atMost('cost', 22.5, 15, formats.micros)).toMatchObject({ met: false, gap: 'short by 7.5 µs' });
  });

  it('misses a target whose figure the run could not measure', () => {
    expect(atMost('delay', Number.NaN, 5, formats.ms)).toMatchObject({ met: false, measured: 'not measured' });
  });

  it('needs a count to be exact', () => {
    expect(exactly('rows', 999, 1_000, '999 rows for 1000 requests')).toMatchObject({ met: false, gap: 'off by -1' });
  });

  it('prints one line per target under a count of those met', () => {
    const block = targetsBlock([atLeast('a', 2, 1, formats.ratio), atMost('b', 2, 1, formats.ms)]);
    expect(block.split('\n')).toEqual(['Targets: 1 of 2 met', '  ✓ a  2.00×; margin 1.00×', '  ✗ b  2.00 ms; short by 1.00 ms']);
  });
});
