import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { auditTrail } from '../../adapters/express.js';
import { useProxiedDatabase } from '../support/proxied-database.js';
import { changeRows, changesTrail, hostModels } from './host.js';

const database = useProxiedDatabase();

/** The host's database stays up; the trail's goes away while the host writes, then comes back. */
async function writesThrough(cut: () => void, maxQueue: number, prefix: string) {
  const opened = changesTrail(database.proxy.url, { maxQueue });
  const dropped: number[] = [];
  let spilled = 0;
  opened.trail.telemetry.on('dropped', ({ count }) => dropped.push(count));
  opened.trail.telemetry.on('events_spilled', ({ count }) => (spilled += count));
  await opened.trail.ready();
  const models = hostModels(database.url);
  await models.sequelize.sync();
  auditTrail(opened.trail).trackChanges(models.sequelize, { models: ['Invoice'] });
  let written = 0;
  const writing = (async () => {
    for (let i = 0; i < 400; i++) {
      await models.Invoice.create({ number: `${prefix}-${i}` });
      written++;
      if (i === 100) cut();
      if (i === 300) database.proxy.restore();
      await sleep(5);
    }
  })();
  await writing;
  await sleep(500);
  await opened.trail.flush();
  await opened.trail.close();
  const rows = await changeRows(database.direct, `changes->>'number' LIKE '${prefix}-%'`);
  await models.sequelize.close();
  return { written, rows, dropped, spilled, log: opened.logger.text() };
}

describe('changes through a trail database outage', () => {
  it('CO01 no change row is lost or duplicated: queued through the outage', async () => {
    const run = await writesThrough(() => database.proxy.cut(), 10_000, 'q');
    expect(run.written).toBe(400);
    expect(run.dropped).toEqual([]);
    expect(new Set(run.rows.map((row) => row.changes.number)).size).toBe(400);
    expect(run.rows).toHaveLength(400);
    expect(run.log).toMatch(/audit writes are failing/);
  });

  it('CO02 beyond a small queue, change rows spill and are replayed exactly once', async () => {
    const run = await writesThrough(() => database.proxy.cut(), 20, 's');
    expect(run.spilled).toBeGreaterThan(0);
    expect(run.dropped).toEqual([]);
    expect(run.rows).toHaveLength(400);
    expect(new Set(run.rows.map((row) => row.change_id)).size).toBe(400);
  });

  it('CO03 a batch whose commit PostgreSQL made but whose reply was lost is not stored twice', async () => {
    const run = await writesThrough(() => database.proxy.swallowReplies(), 10_000, 'w');
    expect(run.rows).toHaveLength(400);
    expect(new Set(run.rows.map((row) => row.changes.number)).size).toBe(400);
  });
});
