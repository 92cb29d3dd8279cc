import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrailOptions } from '../../src/index.js';
import { missingAndDuplicated, startAuditedApp } from '../support/audited-app.js';
import { startLoad } from '../support/load.js';
import { memoryLogger } from '../support/memory-logger.js';
import { useProxiedDatabase } from '../support/proxied-database.js';

const database = useProxiedDatabase();

/** Steady load through an audited app whose database goes away for `outageMs`, then comes back. */
async function throughOutage(options: AuditTrailOptions, cutDatabase: () => void, outageMs: number) {
  const logger = memoryLogger();
  const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
  const trail = createAuditTrail({ database: database.proxy.url, logger, spillDir, flushIntervalMs: 50, ...options });
  const telemetry = { spilled: 0, replayed: 0, retried: 0, dropped: 0 };
  trail.telemetry.on('events_spilled', ({ count }) => (telemetry.spilled += count));
  trail.telemetry.on('events_replayed', ({ count }) => (telemetry.replayed += count));
  trail.telemetry.on('write_retried', () => telemetry.retried++);
  trail.telemetry.on('dropped', ({ count }) => (telemetry.dropped += count));
  await trail.ready();
  const app = await startAuditedApp(trail);
  const load = startLoad(app.url, 8, 2);
  await sleep(1_000);
  cutDatabase();
  await sleep(outageMs);
  database.proxy.restore();
  await sleep(1_000);
  await load.stop();
  await trail.flush();
  await app.close();
  await trail.close();
  return { acknowledged: load.acknowledged, failed: load.failed, telemetry, log: logger.text() };
}

describe('a database outage under steady load', () => {
  it('W01 keeps every request, then stores each exactly once when the database is back', async () => {
    const run = await throughOutage({}, () => database.proxy.cut(), 10_000);
    expect(run.failed).toBe(0);
    expect(run.acknowledged.length).toBeGreaterThan(1_000);
    expect(run.telemetry.retried).toBeGreaterThan(0);
    expect(run.telemetry.dropped).toBe(0);
    expect(await missingAndDuplicated(database.direct, run.acknowledged)).toEqual({ missing: [], duplicated: [] });
    // Once per change of state, not once per try.
    expect(run.log.match(/audit writes are failing/g)).toHaveLength(1);
    expect(run.log.match(/audit writes recovered after \d+ failed attempt/g)).toHaveLength(1);
  });

  it('W02 spills beyond a small queue and replays the spill file exactly once', async () => {
    const run = await throughOutage({ maxQueue: 200 }, () => database.proxy.cut(), 10_000);
    expect(run.failed).toBe(0);
    expect(run.telemetry.spilled).toBeGreaterThan(0);
    expect(run.telemetry.replayed).toBe(run.telemetry.spilled);
    expect(run.telemetry.dropped).toBe(0);
    expect(await missingAndDuplicated(database.direct, run.acknowledged)).toEqual({ missing: [], duplicated: [] });
  });

  it('W03 never duplicates a batch whose commit reached PostgreSQL but whose reply was lost', async () => {
    const run = await throughOutage({}, () => database.proxy.swallowReplies(), 2_000);
    expect(run.telemetry.retried).toBeGreaterThan(0);
    expect(await missingAndDuplicated(database.direct, run.acknowledged)).toEqual({ missing: [], duplicated: [] });
  });
});
