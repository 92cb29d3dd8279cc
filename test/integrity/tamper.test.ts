import { afterEach, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/integrity/checkpoint.js';
import { createTestDatabase } from '../support/database.js';
import { asOwner, PRIVATE_PEM, rechain, select, verify, writeEvents } from './support.js';

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

/** A fresh database with 60 rows in batches of 10 (links 1–6), a signed checkpoint every 2 batches, and the checkpoints the host was handed. */
async function signedTrail(): Promise<{ url: string; exported: Checkpoint[] }> {
  const database = await createTestDatabase();
  drops.push(database.drop);
  const exported: Checkpoint[] = [];
  await writeEvents(database.url, 60, { integrity: { signingKey: PRIVATE_PEM, checkpointEvery: { batches: 2 }, onCheckpoint: (c) => void exported.push(c) } });
  return { url: database.url, exported };
}

const idsOf = async (url: string, seq: number) =>
  (await select<{ id: number }>(url, `SELECT id FROM user_actions WHERE chain_seq = (SELECT batch FROM audit_chain WHERE seq = ${seq}) ORDER BY id`)).map((row) => row.id);

describe('verify() names each kind of tampering, as the database owner would do it', () => {
  it('T01 an intact signed trail verifies, with every checkpoint signature checked; onCheckpoint was called', async () => {
    const { url, exported } = await signedTrail();
    expect(exported.map((c) => c.seq)).toEqual([2, 4, 6]);
    const stored = await select<{ seq: string }>(url, 'SELECT seq FROM audit_checkpoints ORDER BY seq');
    expect(stored.map((row) => Number(row.seq))).toEqual([2, 4, 6]);
    const report = await verify(url, { checkpoints: exported });
    expect(report).toMatchObject({ intact: true, rows: 60, links: 6, checkpoints: 6, signaturesChecked: 6 });
  });

  it('T02 an edited user_agent in one row is a modified row in its batch', async () => {
    const { url } = await signedTrail();
    const [id] = (await idsOf(url, 3)).slice(4);
    await asOwner(url, [`UPDATE user_actions SET user_agent = 'curl/8.0' WHERE id = ${id}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'modified', seq: 3 });
  });

  it('T03 a deleted row is named with its batch and id', async () => {
    const { url } = await signedTrail();
    const [id] = (await idsOf(url, 2)).slice(3);
    await asOwner(url, [`DELETE FROM user_actions WHERE id = ${id}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'deleted', seq: 2, rowId: id });
  });

  it('T04 a forged row with a chain_seq, and one without, are inserted rows', async () => {
    const { url } = await signedTrail();
    const copy = `INSERT INTO user_actions (timestamp, user_id, username, user_roles, action_type, resource, outcome, chain_seq)
      SELECT timestamp, 'mallory', 'mallory', user_roles, action_type, resource, outcome, CHAIN FROM user_actions WHERE id = 5`;
    await asOwner(url, [copy.replace('CHAIN', '4')]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'inserted', seq: 4 });

    const second = await signedTrail();
    await asOwner(second.url, [copy.replace('CHAIN', 'NULL')]);
    expect((await verify(second.url)).finding).toMatchObject({ kind: 'inserted', seq: 6 });
  });

  it('T05 two rows whose contents were swapped make a modified batch', async () => {
    const { url } = await signedTrail();
    const [a, b] = await idsOf(url, 5);
    await asOwner(url, [
      `UPDATE user_actions SET resource = CASE id WHEN ${a} THEN (SELECT resource FROM user_actions WHERE id = ${b}) ELSE (SELECT resource FROM user_actions WHERE id = ${a}) END,
         request_id = CASE id WHEN ${a} THEN (SELECT request_id FROM user_actions WHERE id = ${b}) ELSE (SELECT request_id FROM user_actions WHERE id = ${a}) END
       WHERE id IN (${a}, ${b})`,
    ]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'modified', seq: 5 });
  });

  it('T06 a deleted chain link, and an edited one, are broken links', async () => {
    const { url } = await signedTrail();
    await asOwner(url, ['DELETE FROM audit_chain WHERE seq = 3']);
    expect((await verify(url)).finding).toMatchObject({ kind: 'broken_link', seq: 3 });

    const second = await signedTrail();
    await asOwner(second.url, [`UPDATE audit_chain SET row_count = 9 WHERE seq = 4`]);
    expect((await verify(second.url)).finding).toMatchObject({ kind: 'broken_link', seq: 4 });
  });

  it('T07 the last 3 batches deleted with their links and stored checkpoints: the exported checkpoints show the cut', async () => {
    const { url, exported } = await signedTrail();
    await asOwner(url, [
      'DELETE FROM user_actions WHERE chain_seq IN (SELECT batch FROM audit_chain WHERE seq >= 4)',
      'DELETE FROM audit_chain WHERE seq >= 4',
      'DELETE FROM audit_checkpoints WHERE seq >= 4',
    ]);
    expect((await verify(url)).intact).toBe(true); // the database alone looks whole
    expect((await verify(url, { checkpoints: exported })).finding).toMatchObject({ kind: 'truncated', seq: 4 });
  });

  it('T08 a chain recomputed after an edit is caught by the signed checkpoints', async () => {
    const { url } = await signedTrail();
    const [id] = await idsOf(url, 1);
    await asOwner(url, [`UPDATE user_actions SET username = 'mallory' WHERE id = ${id}`]);
    await rechain(url);
    const report = await verify(url);
    expect(report.finding).toMatchObject({ kind: 'checkpoint_mismatch', seq: 2 });
  });

  it('T09 a checkpoint whose signature does not verify is a bad signature', async () => {
    const { url, exported } = await signedTrail();
    const forged = { ...exported[1]!, signedAt: new Date(0).toISOString() };
    expect((await verify(url, { checkpoints: [forged] })).finding).toMatchObject({ kind: 'bad_signature', seq: 4 });
    await asOwner(url, [`UPDATE audit_checkpoints SET signature = '${exported[0]!.signature}' WHERE seq = 6`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'bad_signature', seq: 6 });
  });
});
