import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/integrity/checkpoint.js';
import { useTestDatabase } from '../support/database.js';
import { asOwner, chainedTrail, PRIVATE_PEM, PUBLIC_PEM, select, writeEvents } from './support.js';

const database = useTestDatabase();

describe('prune and the chain', () => {
  it('P01 deletes whole batches only, keeps the newest, and leaves a signed checkpoint where the chain now starts', async () => {
    const exported: Checkpoint[] = [];
    const integrity = { signingKey: PRIVATE_PEM, checkpointEvery: { batches: 2 }, onCheckpoint: (c: Checkpoint) => void exported.push(c) };
    await writeEvents(database.url, 60, { integrity });
    const trail = chainedTrail(database.url, { integrity });
    try {
      const dry = await trail.prune({ olderThan: new Date(Date.now() + 60_000), force: true, dryRun: true });
      expect(dry.wouldDelete).toBe(50);
      const { deleted } = await trail.prune({ olderThan: new Date(Date.now() + 60_000), force: true, batchSize: 20 });
      expect(deleted).toBe(50);
      const links = await select<{ seq: string }>(database.url, 'SELECT seq FROM audit_chain ORDER BY seq');
      expect(links.map((l) => Number(l.seq))).toEqual([6]);
      const [start] = await select<{ seq: string; signature: string | null }>(database.url, 'SELECT seq, signature FROM audit_checkpoints ORDER BY seq LIMIT 1');
      expect(Number(start!.seq)).toBe(6);
      expect(start!.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const report = await trail.verify({ publicKey: PUBLIC_PEM, checkpoints: exported });
      expect(report.finding).toBeUndefined();
      expect(report).toMatchObject({ intact: true, rows: 10, firstSeq: 6, lastSeq: 6 });
      expect(report.signaturesChecked).toBeGreaterThanOrEqual(2); // the prune's and the writer's at 6

      // Without prune's checkpoint the same chain is one whose first links were cut.
      await asOwner(database.url, ['DELETE FROM audit_checkpoints WHERE seq = 6']);
      expect((await trail.verify()).finding).toMatchObject({ kind: 'truncated', seq: 6 });
    } finally {
      await trail.close();
    }
  });

  it('P03 a cut-off before every link deletes nothing: not every batch but the newest', async () => {
    const url = database.url;
    const before = await select<{ n: string }>(url, 'SELECT count(*) AS n FROM audit_chain');
    const trail = chainedTrail(url);
    try {
      expect(await trail.prune({ olderThan: '2000-01-01T00:00:00Z', dryRun: true })).toMatchObject({ wouldDelete: 0, wouldDeleteChanges: 0 });
      expect(await trail.prune({ olderThan: '2000-01-01T00:00:00Z' })).toMatchObject({ deleted: 0, deletedChanges: 0 });
    } finally {
      await trail.close();
    }
    expect(await select<{ n: string }>(url, 'SELECT count(*) AS n FROM audit_chain')).toEqual(before);
  });
});
