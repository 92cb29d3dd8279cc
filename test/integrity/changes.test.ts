import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditTrailOptions } from '../../src/index.js';
import { CHANGES_CHAINED_INSERT, changeRowOf, changesDocumentOf } from '../../src/changes/postgres-insert.js';
import { canonicalLine, POSTGRES_CANONICAL_LINE, POSTGRES_CANONICAL_SELECT } from '../../src/integrity/canonical.js';
import type { Checkpoint } from '../../src/integrity/checkpoint.js';
import { newEventId } from '../../src/writer/event-id.js';
import { createTestDatabase } from '../support/database.js';
import { asOwner, chainedTrail, change, event, PRIVATE_PEM, PUBLIC_PEM, select } from './support.js';

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

async function freshDatabase(): Promise<string> {
  const database = await createTestDatabase();
  drops.push(database.drop);
  return database.url;
}

/** 40 requests and 40 model changes, recorded side by side and flushed every 10 of each: links of both tables, interleaved. */
async function mixedTrail(options: AuditTrailOptions = {}): Promise<string> {
  const url = await freshDatabase();
  const trail = chainedTrail(url, options);
  try {
    await trail.ready();
    for (let i = 0; i < 40; i++) {
      trail.record(event(i));
      trail.recordChange(change(i));
      if (i % 10 === 9) await trail.flush();
    }
    await trail.flush();
  } finally {
    await trail.close();
  }
  return url;
}

async function verify(url: string, options: Parameters<ReturnType<typeof chainedTrail>['verify']>[0] = {}) {
  const trail = chainedTrail(url);
  try {
    return await trail.verify(options);
  } finally {
    await trail.close();
  }
}

interface Link {
  seq: string;
  batch: string;
  row_table: string;
  row_count: number;
  prev_hash: string;
  hash: string;
}
const linksOf = (url: string) => select<Link>(url, 'SELECT seq, batch, row_table, row_count, prev_hash, hash FROM audit_chain ORDER BY seq');
const changeLinks = async (url: string) => (await linksOf(url)).filter((link) => link.row_table === 'user_action_changes');
const changeIdsOf = async (url: string, link: Link) =>
  (await select<{ id: string }>(url, `SELECT id FROM user_action_changes WHERE chain_seq = ${link.batch} ORDER BY id`)).map((row) => Number(row.id));

describe('the chain covers change rows', () => {
  it('CK01 each batch of change rows extends the one gapless chain, its link naming the table, and verify() covers both tables', async () => {
    const url = await mixedTrail();
    const links = await linksOf(url);
    expect(links.map((link) => Number(link.seq))).toEqual(links.map((_, i) => i + 1));
    for (const [i, link] of links.entries()) if (i > 0) expect(link.prev_hash).toBe(links[i - 1]!.hash);
    const rowsIn = (table: string) => links.filter((link) => link.row_table === table).reduce((sum, link) => sum + link.row_count, 0);
    expect(rowsIn('user_actions')).toBe(40);
    expect(rowsIn('user_action_changes')).toBe(40);
    const [unchained] = await select<{ n: string }>(url, 'SELECT count(*) AS n FROM user_action_changes WHERE chain_seq IS NULL');
    expect(Number(unchained!.n)).toBe(0);
    // Every change row carries the number of a link of its own table.
    const [stray] = await select<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM user_action_changes c WHERE NOT EXISTS (SELECT 1 FROM audit_chain a WHERE a.batch = c.chain_seq AND a.row_table = 'user_action_changes')`,
    );
    expect(Number(stray!.n)).toBe(0);

    const report = await verify(url);
    expect(report.finding).toBeUndefined();
    expect(report).toMatchObject({ intact: true, rows: 80, links: links.length, unchainedRows: 0 });
    const one = (await changeLinks(url))[1]!;
    expect(await verify(url, { fromSeq: Number(one.seq), toSeq: Number(one.seq) })).toMatchObject({ intact: true, links: 1, rows: one.row_count });
  });

  it("CK02 PostgreSQL writes a change row's line as JSON.stringify writes its values, awkward characters included", async () => {
    const url = await freshDatabase();
    const awkward = ['quote " backslash \\ slash /', 'tab\tnewline\ncr\r bell\u0007', 'é ü 中文 😀 \u2028', '<script>&amp;</script>'];
    const trail = chainedTrail(url);
    try {
      await trail.ready();
      for (const [i, text] of awkward.entries()) {
        trail.recordChange({ ...change(i), model: text, recordId: text, username: text, changes: JSON.stringify({ [text]: [text, 1.5] }) });
      }
      await trail.flush();
    } finally {
      await trail.close();
    }
    const rows = await select<{ line: string; values: string[] }>(
      url,
      `SELECT ${POSTGRES_CANONICAL_LINE.user_action_changes} AS line, ARRAY[${POSTGRES_CANONICAL_SELECT.user_action_changes}] AS values FROM user_action_changes`,
    );
    expect(rows).toHaveLength(awkward.length);
    for (const row of rows) expect(`${row.line}\n`).toBe(canonicalLine(row.values));
    expect(await verify(url)).toMatchObject({ intact: true, rows: awkward.length });
  });
});

describe('verify() names tampering with change rows', () => {
  it('CT01 an edited change row is a modified batch, named with its seq and table', async () => {
    const url = await mixedTrail();
    const link = (await changeLinks(url))[2]!;
    const [id] = (await changeIdsOf(url, link)).slice(3);
    await asOwner(url, [`UPDATE user_action_changes SET changes = '{"amount": [1, 1000000]}' WHERE id = ${id}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'modified', seq: Number(link.seq), table: 'user_action_changes' });
  });

  it('CT02 a deleted change row is named with its batch and id', async () => {
    const url = await mixedTrail();
    const link = (await changeLinks(url))[1]!;
    const [id] = (await changeIdsOf(url, link)).slice(2);
    await asOwner(url, [`DELETE FROM user_action_changes WHERE id = ${id}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'deleted', seq: Number(link.seq), rowId: id, table: 'user_action_changes' });
  });

  it('CT03 a forged change row, with a chain_seq and without, is an inserted row', async () => {
    const url = await mixedTrail();
    const forge = (chainSeq: string) => `INSERT INTO user_action_changes (change_id, timestamp, user_id, username, model, table_name, operation, changes, chain_seq)
      VALUES (gen_random_uuid(), now(), 'mallory', 'mallory', 'Invoice', 'Invoices', 'delete', '{}', ${chainSeq})`;
    await asOwner(url, [forge('NULL')]);
    // After the last change batch, which of them it follows depends on how their ids interleaved.
    const seqs = (await changeLinks(url)).map((link) => Number(link.seq));
    const { finding } = await verify(url);
    expect(finding).toMatchObject({ kind: 'inserted', table: 'user_action_changes' });
    expect(seqs).toContain(finding!.seq);

    const second = await mixedTrail();
    const first = (await changeLinks(second))[0]!;
    await asOwner(second, [forge(first.batch)]);
    expect((await verify(second)).finding).toMatchObject({ kind: 'inserted', seq: Number(first.seq), table: 'user_action_changes' });
  });

  it("CT04 a link moved to the other table is a broken link: the table is in the link's hash", async () => {
    const url = await mixedTrail();
    const link = (await changeLinks(url))[0]!;
    await asOwner(url, [`UPDATE audit_chain SET row_table = 'user_actions' WHERE seq = ${link.seq}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'broken_link', seq: Number(link.seq) });
  });
});

describe('a retried change batch', () => {
  it('CR01 adds no second link when its rows all landed before, and links only the new rows of a partly stored one', async () => {
    const url = await freshDatabase();
    const migrate = chainedTrail(url);
    await migrate.ready();
    await migrate.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const append = async (entries: Array<{ id: string; event: ReturnType<typeof change> }>) =>
      (await client.query({ text: CHANGES_CHAINED_INSERT, values: [changesDocumentOf(entries.map(changeRowOf))], rowMode: 'array' })).rows.length;
    const entriesOf = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: newEventId(), event: change(from + i) }));
    try {
      const first = entriesOf(0, 5);
      expect(await append(first)).toBe(1);
      expect(await append(first)).toBe(0); // the ambiguous commit, retried: every change id is already stored
      expect(await append([...first.slice(2), ...entriesOf(5, 2)])).toBe(1); // a replayed spill segment that overlaps
    } finally {
      await client.end();
    }
    const links = await linksOf(url);
    expect(links.map((link) => [Number(link.seq), link.row_table, link.row_count])).toEqual([
      [1, 'user_action_changes', 5],
      [2, 'user_action_changes', 2],
    ]);
    const [stored] = await select<{ n: string }>(url, 'SELECT count(*) AS n FROM user_action_changes');
    expect(Number(stored!.n)).toBe(7);
    expect(await verify(url)).toMatchObject({ intact: true, rows: 7, links: 2 });
  });
});

describe('prune and chained change rows', () => {
  it('P02 deletes whole batches of both tables, keeps the newest, counts change rows apart, and leaves a chain that verifies', async () => {
    const exported: Checkpoint[] = [];
    const integrity = { signingKey: PRIVATE_PEM, checkpointEvery: { batches: 3 }, onCheckpoint: (c: Checkpoint) => void exported.push(c) };
    const url = await mixedTrail({ integrity });
    const links = await linksOf(url);
    const head = links.at(-1)!;
    const kept = { user_actions: 0, user_action_changes: 0, [head.row_table]: head.row_count };
    const trail = chainedTrail(url, { integrity });
    try {
      const olderThan = new Date(Date.now() + 60_000);
      const dry = await trail.prune({ olderThan, force: true, dryRun: true });
      expect(dry).toMatchObject({ wouldDelete: 40 - kept.user_actions, wouldDeleteChanges: 40 - kept.user_action_changes });
      const result = await trail.prune({ olderThan, force: true, batchSize: 15 });
      expect(result).toMatchObject({ deleted: 40 - kept.user_actions, deletedChanges: 40 - kept.user_action_changes });
      expect((await linksOf(url)).map((link) => link.seq)).toEqual([head.seq]);
      const [left] = await select<{ actions: string; changes: string }>(
        url,
        'SELECT (SELECT count(*) FROM user_actions) AS actions, (SELECT count(*) FROM user_action_changes) AS changes',
      );
      expect([Number(left!.actions), Number(left!.changes)]).toEqual([kept.user_actions, kept.user_action_changes]);
      const report = await trail.verify({ publicKey: PUBLIC_PEM, checkpoints: exported });
      expect(report.finding).toBeUndefined();
      expect(report).toMatchObject({ intact: true, rows: head.row_count, firstSeq: Number(head.seq), lastSeq: Number(head.seq) });
    } finally {
      await trail.close();
    }
  });
});
