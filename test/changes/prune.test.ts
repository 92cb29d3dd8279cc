import { describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../../src/changes/change-event.js';
import type { AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { sqliteUrl } from '../support/seed-actions.js';
import { changeRows, changesTrail } from './host.js';

const database = useTestDatabase();
const DAY = 86_400_000;

function change(ageDays: number, recordId: string): ChangeEvent {
  return {
    timestamp: new Date(Date.now() - ageDays * DAY),
    eventId: null,
    requestId: null,
    userId: 'system',
    username: 'system',
    model: 'Invoice',
    tableName: 'Invoices',
    recordId,
    operation: 'update',
    changes: JSON.stringify({ amount: [1, 2] }),
  };
}

/**
 * Seven change rows older than 5 days, three younger, stored. The chain prunes its batches by when they
 * were stored (test/integrity/prune.test.ts), so these rows, dated back but stored now, are stored
 * unchained: `integrity: false`.
 */
async function seedChanges(trail: AuditTrail): Promise<void> {
  for (let i = 0; i < 7; i++) trail.recordChange(change(6 + i, `old-${i}`));
  for (let i = 0; i < 3; i++) trail.recordChange(change(i, `new-${i}`));
  await trail.flush();
}

const recordIds = async (trail: AuditTrail) => (await changeRows((await trail.store()).sequelize)).map((row) => row.record_id).sort();

describe('prune and model changes', () => {
  it.each([
    ['PostgreSQL', () => database.url],
    ['SQLite', sqliteUrl],
  ])('CP01 %s: prune deletes change rows past the cut-off in batches, through the door, and a dry run counts them', async (_name, url) => {
    const { trail } = changesTrail(url(), { integrity: false });
    await seedChanges(trail);
    expect(await trail.prune({ olderThan: '5d', dryRun: true })).toMatchObject({ deletedChanges: 0, wouldDeleteChanges: 7 });
    expect(await trail.prune({ olderThan: '5d', batchSize: 3 })).toMatchObject({ deletedChanges: 7 });
    expect(await recordIds(trail)).toEqual(['new-0', 'new-1', 'new-2']);
    await expect((await trail.store()).sequelize.query('DELETE FROM user_action_changes')).rejects.toThrow();
    await trail.close();
  });

  it('CP02 the retention option prunes change rows with the same olderThan', async () => {
    const { trail: writing } = changesTrail(database.url, { integrity: false });
    await seedChanges(writing);
    const { trail, logger } = changesTrail(database.url, { retention: { olderThan: '5d', every: '1s' } });
    await vi.waitFor(async () => expect((await recordIds(writing)).filter((id) => id!.startsWith('old'))).toEqual([]), { timeout: 10_000, interval: 100 });
    expect(logger.lines.map((line) => line.message)).toContainEqual(expect.stringMatching(/^retention: pruned \d+ audit row\(s\) and 7 change row\(s\)[,\s]/));
    await Promise.all([trail.close(), writing.close()]);
  });
});
