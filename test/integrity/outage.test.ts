import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useProxiedDatabase } from '../support/proxied-database.js';
import { chainedTrail, event, select } from './support.js';

const database = useProxiedDatabase();

describe('the chain through an outage', () => {
  it('R01 batches cut mid-transaction, spilled and replayed, still make one gapless chain that verifies', async () => {
    const trail = chainedTrail(database.proxy.url, { maxQueue: 100, batchSize: 50, flushIntervalMs: 20 });
    let spilled = 0;
    trail.telemetry.on('events_spilled', ({ count }) => (spilled += count));
    await trail.ready();
    let i = 0;
    const record = async (ms: number) => {
      for (const until = Date.now() + ms; Date.now() < until; await sleep(2)) for (let n = 0; n < 10; n++) trail.record(event(i++, `outage-${i}`));
    };
    await record(500);
    database.proxy.cut(); // connections drop under open transactions
    await record(2_000);
    database.proxy.restore();
    await record(500);
    await trail.flush();
    await trail.close();

    expect(spilled).toBeGreaterThan(0);
    const [stored] = await select<{ rows: string; distinct: string }>(database.url, 'SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct FROM user_actions');
    expect(Number(stored!.rows)).toBe(i);
    expect(Number(stored!.distinct)).toBe(i);
    const verifier = chainedTrail(database.url);
    try {
      const report = await verifier.verify();
      expect(report.finding).toBeUndefined();
      expect(report).toMatchObject({ intact: true, rows: i, unchainedRows: 0 });
    } finally {
      await verifier.close();
    }
  });
});
