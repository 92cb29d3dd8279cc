import { Sequelize } from 'sequelize';
import { afterEach, describe, expect, it } from 'vitest';
import { withPostgresSource } from '../../src/integrity/postgres-source.js';
import { verifyChain, type VerifyOptions, type VerifyReport } from '../../src/integrity/verify.js';
import { createTestDatabase } from '../support/database.js';
import { asOwner, chainedTrail, event, rechain, select } from './support.js';

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

/**
 * A fresh database with 300 rows in batches of 10, after `unchained` rows written with the chain off, as
 * before the chain's migration. Batches stored side by side interleave their ids, but not every time: two
 * rows of links 5 and 6 swap their ids, and the chain is recomputed, so that those two batches always do.
 */
async function trailOf300(unchained = 0): Promise<string> {
  const database = await createTestDatabase();
  drops.push(database.drop);
  for (const [count, integrity] of [
    [unchained, false],
    [300, true],
  ] as const) {
    const trail = chainedTrail(database.url, { integrity });
    try {
      await trail.ready();
      for (let i = 0; i < count; i++) trail.record(event(i, `${integrity ? 'chained' : 'unchained'}-${i}`));
      await trail.flush();
    } finally {
      await trail.close();
    }
  }
  const [fifth, sixth] = await Promise.all([5, 6].map((seq) => batchIds(database.url, seq)));
  const [low, high] = [Math.max(...fifth!), Math.min(...sixth!)];
  await asOwner(database.url, [
    `UPDATE user_actions SET id = -1 WHERE id = ${low}`,
    `UPDATE user_actions SET id = ${low} WHERE id = ${high}`,
    `UPDATE user_actions SET id = ${high} WHERE id = -1`,
    'UPDATE audit_chain SET first_id = ids.low, last_id = ids.high FROM (SELECT chain_seq, min(id) AS low, max(id) AS high FROM user_actions GROUP BY chain_seq) ids WHERE ids.chain_seq = audit_chain.batch',
  ]);
  await rechain(database.url);
  return database.url;
}

type Report = Omit<VerifyReport, 'durationMs' | 'rowsPerSecond'>;

/** verify() with pages of `rowPage` ids, its timings left out, and how many rows it read one by one. */
async function verifyInPages(url: string, rowPage: number, options: VerifyOptions = {}): Promise<{ report: Report; rowsRead: number }> {
  const sequelize = new Sequelize(url, { logging: false });
  let rowsRead = 0;
  try {
    const {
      durationMs: _duration,
      rowsPerSecond: _rate,
      ...report
    } = await withPostgresSource(sequelize, (source) => verifyChain({ ...source, rows: async (...range) => tally(await source.rows(...range)) }, options, rowPage));
    return { report, rowsRead };
  } finally {
    await sequelize.close();
  }
  function tally<T extends unknown[]>(rows: T): T {
    rowsRead += rows.length;
    return rows;
  }
}

/**
 * One page of 10,000 ids holds all 300 rows: any disagreement sends the row-by-row walk back to the first
 * row, as verify() read every row before the database hashed the batches. Pages of 25 ids make a dozen
 * segments, most of which pass on their digests: the report must be the same, finding and counts alike.
 */
async function sameInSmallPages(url: string, options: VerifyOptions = {}): Promise<Report & { rowsRead: { whole: number; paged: number } }> {
  const whole = await verifyInPages(url, 10_000, options);
  const paged = await verifyInPages(url, 25, options);
  expect(paged.report).toEqual(whole.report);
  if (whole.report.intact) expect(whole.rowsRead + paged.rowsRead).toBe(0); // the database's digests agreed with the chain's: no row was read
  return { ...whole.report, rowsRead: { whole: whole.rowsRead, paged: paged.rowsRead } };
}

const batchIds = async (url: string, seq: number) =>
  (await select<{ id: number }>(url, `SELECT id FROM user_actions WHERE chain_seq = (SELECT batch FROM audit_chain WHERE seq = ${seq}) ORDER BY id`)).map((row) => row.id);
const linkCount = async (url: string) => Number((await select<{ n: string }>(url, 'SELECT count(*) AS n FROM audit_chain'))[0]!.n);

describe('verify() lets the database hash the batches, and reads rows one by one only where a digest disagrees', () => {
  it('D01 an intact trail, whole and by seq range, reports the same in pages that batches straddle', async () => {
    const url = await trailOf300();
    const straddled = await select<{ n: string }>(
      url,
      'SELECT count(*) AS n FROM audit_chain a WHERE EXISTS (SELECT 1 FROM audit_chain b WHERE b.seq <> a.seq AND b.first_id BETWEEN a.first_id AND a.last_id)',
    );
    expect(Number(straddled[0]!.n)).toBeGreaterThan(0); // batches stored side by side: a cut between pages must wait for both to end
    expect(await sameInSmallPages(url)).toMatchObject({ intact: true, rows: 300, unchainedRows: 0 });
    expect(await sameInSmallPages(url, { fromSeq: 7, toSeq: 19 })).toMatchObject({ intact: true, links: 13, firstSeq: 7, lastSeq: 19 });
  });

  it('D02 an edited row and a deleted row late in the table are found and named, with the rows counted before them', async () => {
    const url = await trailOf300();
    const last = await linkCount(url);
    const [edited] = (await batchIds(url, last - 2)).slice(3);
    await asOwner(url, [`UPDATE user_actions SET user_agent = 'curl/8.0' WHERE id = ${edited}`]);
    const modified = await sameInSmallPages(url);
    expect(modified.finding).toMatchObject({ kind: 'modified', seq: last - 2 });
    expect(modified.rows).toBeGreaterThan(200);
    expect(modified.rowsRead.paged).toBeLessThan(100); // only from the page that disagreed on

    const second = await trailOf300();
    const [deleted] = (await batchIds(second, last - 4)).slice(5);
    await asOwner(second, [`DELETE FROM user_actions WHERE id = ${deleted}`]);
    expect((await sameInSmallPages(second)).finding).toMatchObject({ kind: 'deleted', seq: last - 4, rowId: deleted });
  });

  it('D03 a forged row with a batch number, one without, and a batch whose rows are all gone are found as before', async () => {
    const url = await trailOf300();
    const copy = `INSERT INTO user_actions (timestamp, user_id, username, user_roles, action_type, resource, outcome, chain_seq)
      SELECT timestamp, 'mallory', 'mallory', user_roles, action_type, resource, outcome, CHAIN FROM user_actions WHERE id = 5`;
    await asOwner(url, [copy.replace('CHAIN', '(SELECT batch FROM audit_chain WHERE seq = 4)')]);
    expect((await sameInSmallPages(url)).finding).toMatchObject({ kind: 'inserted', seq: 4 });

    const second = await trailOf300();
    await asOwner(second, [copy.replace('CHAIN', 'NULL')]);
    expect((await sameInSmallPages(second)).finding).toMatchObject({ kind: 'inserted' });

    const third = await trailOf300();
    const last = await linkCount(third);
    await asOwner(third, [`DELETE FROM user_actions WHERE chain_seq = (SELECT batch FROM audit_chain WHERE seq = ${last})`]);
    expect((await sameInSmallPages(third)).finding).toMatchObject({ kind: 'deleted', seq: last });
  });

  it('D04 rows from before the chain are counted, not hashed, and one among chained rows is an inserted row', async () => {
    const url = await trailOf300(30);
    expect(await sameInSmallPages(url)).toMatchObject({ intact: true, rows: 300, unchainedRows: 30 });
    const [id] = (await batchIds(url, 4)).slice(-1);
    await asOwner(url, [`UPDATE user_actions SET chain_seq = NULL WHERE id = ${id}`]);
    expect((await sameInSmallPages(url)).finding).toMatchObject({ kind: 'inserted', rowId: id });
  });
});
