import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { missingAndDuplicated, rowCounts } from '../support/audited-app.js';
import { startHostProcess } from '../support/host-process.js';
import { startLoad } from '../support/load.js';
import { useProxiedDatabase } from '../support/proxied-database.js';

const database = useProxiedDatabase();

function startHost(mode: string, spillDir: string, databaseUrl: string, env: Record<string, string> = {}) {
  return startHostProcess({ DATABASE_URL: databaseUrl, SPILL_DIR: spillDir, AUDIT_MODE: mode, ...env });
}

/**
 * Load for a while, SIGKILL the host mid-load, restart it on the same spill directory and let it replay.
 * With `outage`, the database is cut off for the last second before the kill, so the spill file holds events.
 */
async function crashAndRestart(mode: string, outage = false) {
  const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
  const first = await startHost(mode, spillDir, database.proxy.url);
  const load = startLoad(`${first.url}/ok`, 16);
  await sleep(outage ? 1_000 : 2_000);
  if (outage) {
    database.proxy.cut();
    await sleep(1_000);
  }
  first.child.kill('SIGKILL');
  const killedAt = performance.now();
  await once(first.child, 'exit');
  await load.stop();
  database.proxy.restore();
  const spilled = readdirSync(spillDir).length;
  const second = await startHost(mode, spillDir, database.proxy.url);
  await fetch(`${second.url}/flush`);
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
  const inLastFlushInterval = load.acknowledgedAt.filter((at) => at <= killedAt && at > killedAt - 200).length;
  return {
    acknowledged: load.acknowledged,
    inLastFlushInterval,
    spilled,
    replayedAll: readdirSync(spillDir).length === 0,
    ...(await missingAndDuplicated(database.direct, load.acknowledged)),
  };
}

describe('kill -9 mid-load', () => {
  it("W50 mode 'strict': every acknowledged request has exactly one row after the restart", async () => {
    const run = await crashAndRestart('strict');
    console.log(`[crash test] strict: ${run.acknowledged.length} acknowledged, ${run.missing.length} lost`);
    expect(run.acknowledged.length).toBeGreaterThan(100);
    expect(run.missing).toEqual([]);
    expect(run.duplicated).toEqual([]);
  });

  it("W51 mode 'strict', killed during a database outage: the restart replays the spill file, nothing lost or doubled", async () => {
    await database.direct.query('TRUNCATE user_actions');
    const run = await crashAndRestart('strict', true);
    console.log(`[crash test] strict during an outage: ${run.acknowledged.length} acknowledged, ${run.missing.length} lost`);
    expect(run.spilled).toBeGreaterThan(0);
    expect(run.replayedAll).toBe(true);
    expect(run.missing).toEqual([]);
    expect(run.duplicated).toEqual([]);
  });

  it('W52 default mode: prints how many were lost, and never duplicates', async () => {
    await database.direct.query('TRUNCATE user_actions');
    const run = await crashAndRestart('default');
    console.log(
      `[crash test] default mode: ${run.acknowledged.length} acknowledged, ${run.missing.length} lost at kill -9; ` +
        `${run.inLastFlushInterval} were acknowledged in the last flush interval (200 ms) before the kill. ` +
        'The documented bound: about one flush interval of traffic, plus the batches in flight.',
    );
    expect(run.duplicated).toEqual([]);
    expect([...(await rowCounts(database.direct)).values()].every((n) => n === 1)).toBe(true);
  });

  it('W53 handleSignals: SIGTERM right after the load closes the trail, then exits; every request is stored', async () => {
    await database.direct.query('TRUNCATE user_actions');
    const host = await startHost('default', mkdtempSync(path.join(tmpdir(), 'audit-spill-')), database.url, { HANDLE_SIGNALS: '1' });
    const load = startLoad(`${host.url}/ok`, 16);
    await sleep(1_000);
    await load.stop();
    host.child.kill('SIGTERM');
    const [code, signal] = (await once(host.child, 'exit')) as [number | null, string | null];
    expect(signal ?? code).toBe('SIGTERM');
    expect(await missingAndDuplicated(database.direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
  });

  for (const [id, signal] of [
    ['W54', 'SIGTERM'],
    ['W55', 'SIGINT'],
  ] as const) {
    it(`${id} handleSignals: ${signal} under 300 req/s lets the requests under way finish and be recorded; none answered is lost`, async () => {
      await database.direct.query('TRUNCATE user_actions');
      const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
      const host = await startHost('default', spillDir, database.url, { HANDLE_SIGNALS: '1' });
      const load = startLoad(`${host.url}/slow`, 100, 0, { perSecond: 300 });
      await sleep(4_000);
      const answeredBeforeSignal = load.acknowledged.length;
      host.child.kill(signal);
      const [code, exitSignal] = (await once(host.child, 'exit')) as [number | null, string | null];
      await load.stop();
      expect(exitSignal ?? code).toBe(signal);
      // The requests under way when the signal came were answered, not cut off.
      expect(load.acknowledged.length).toBeGreaterThan(answeredBeforeSignal);

      const restarted = await startHost('default', spillDir, database.url);
      await fetch(`${restarted.url}/flush`);
      restarted.child.kill('SIGTERM');
      await once(restarted.child, 'exit');
      const run = await missingAndDuplicated(database.direct, load.acknowledged);
      console.log(`[signal test] ${signal}: ${load.acknowledged.length} answered, ${run.missing.length} without a row`);
      expect(run).toEqual({ missing: [], duplicated: [] });
    });
  }
});
