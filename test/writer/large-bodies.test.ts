import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { missingAndDuplicated } from '../support/audited-app.js';
import { peakRssMiB, startHostProcess } from '../support/host-process.js';
import { startLoad } from '../support/load.js';
import { useProxiedDatabase } from '../support/proxied-database.js';

const database = useProxiedDatabase();

/** About 60 KB of JSON: 450 records, under the sanitizer's 500 entries and 64 KiB, so nothing is cut. */
const BODY = JSON.stringify({
  items: Array.from({ length: 450 }, (_, i) => ({ id: i, name: `item-${i}`, text: `${i} `.padEnd(96, 'lorem ipsum dolor sit amet ') })),
});

const LOAD_MS = 60_000;

describe('an outage under 60 KB request bodies', () => {
  it('W60 keeps memory bounded by maxQueueBytes, keeps answering, and stores every answered request once after recovery', { timeout: 300_000 }, async () => {
    expect(BODY.length).toBeGreaterThan(58_000);
    const host = await startHostProcess({
      DATABASE_URL: database.proxy.url,
      SPILL_DIR: mkdtempSync(path.join(tmpdir(), 'audit-spill-')),
      MAX_QUEUE_BYTES: String(8 * 1024 * 1024),
      // A small container's heap: a queue that is not bounded by bytes dies here within seconds of the cut.
      NODE_OPTIONS: '--max-old-space-size=192',
    });
    const baseline = peakRssMiB(host.child.pid!);
    // 100 a second for 60 s, bounded in count too: 6,000 bodies are about 360 MB, far beyond the queue's 8 MiB.
    const load = startLoad(`${host.url}/echo`, 4, 0, { body: BODY, perSecond: 100, limit: 6_000 });
    await sleep(1_000);
    database.proxy.cut();
    const cutAt = performance.now();
    await Promise.race([load.done, sleep(LOAD_MS - 1_000)]);
    const answeredLate = load.acknowledgedAt.filter((at) => at > cutAt + LOAD_MS - 11_000).length;
    await load.stop();
    const peak = peakRssMiB(host.child.pid!);
    database.proxy.restore();
    await fetch(`${host.url}/flush`, { signal: AbortSignal.timeout(200_000) });
    const peakWithReplay = peakRssMiB(host.child.pid!);
    host.child.kill('SIGTERM');
    await once(host.child, 'exit');
    console.log(
      `[large bodies] ${load.acknowledged.length} answered, ${load.failed} failed, ${answeredLate} in the outage's last 10 s; ` +
        `peak RSS ${peak.toFixed(0)} MiB in the outage, ${peakWithReplay.toFixed(0)} MiB with the replay (at start ${baseline.toFixed(0)} MiB)`,
    );
    expect(load.failed).toBe(0);
    expect(load.acknowledged.length).toBeGreaterThan(3_000);
    expect(answeredLate).toBeGreaterThan(0);
    expect(peak).toBeLessThan(256);
    expect(peakWithReplay).toBeLessThan(400);
    expect(await missingAndDuplicated(database.direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
  });
});
