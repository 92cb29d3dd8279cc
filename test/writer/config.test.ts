import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';

describe('writer options', () => {
  it('default to spill beyond 100,000 events or 64 MiB, under .audit-trail/spill in the working directory', () => {
    const config = resolveConfig({}, {});
    expect(config).toMatchObject({
      mode: 'default',
      maxQueue: 100_000,
      maxQueueBytes: 64 * 1024 * 1024,
      onOverflow: 'spill',
      blockTimeoutMs: 5_000,
      writeConcurrency: 2,
      handleSignals: false,
    });
    expect(config.spillDir).toBe(path.resolve('.audit-trail', 'spill'));
  });

  it("maxQueueBytes's default is the one the README states", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toMatch(/^\| `maxQueueBytes` \| `67108864` \(64 MiB\) \|/m);
    expect(resolveConfig({}, {}).maxQueueBytes).toBe(67_108_864);
  });

  it('reject bad values with a message that says what to set', () => {
    expect(() => resolveConfig({ onOverflow: 'discard' as never })).toThrow(/onOverflow must be one of 'spill', 'drop-oldest', 'drop-newest', 'block'; got discard/);
    expect(() => resolveConfig({ mode: 'paranoid' as never })).toThrow(/mode must be one of 'default', 'strict'/);
    expect(() => resolveConfig({ maxQueue: 0 })).toThrow(/maxQueue must be an integer of at least 1/);
    expect(() => resolveConfig({ maxQueueBytes: 0 })).toThrow(/maxQueueBytes must be an integer of at least 1/);
    expect(() => resolveConfig({ maxQueueBytes: 1.5 })).toThrow(/maxQueueBytes must be an integer/);
    expect(() => resolveConfig({ writeConcurrency: 1.5 })).toThrow(/writeConcurrency must be an integer/);
  });
});
