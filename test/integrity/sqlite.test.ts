import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import sqlite3 from 'sqlite3';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { silentLogger } from '../../src/logger.js';
import { createMigrator, migrateToLatest } from '../../src/store/migrate.js';
import type { Checkpoint } from '../../src/integrity/checkpoint.js';
import { cli } from '../support/cli.js';
import { AWKWARD_JSON, asSqliteOwner, awkwardEvents, chainedTrail, change, event, PRIVATE_PEM, PUBLIC_PEM, selectSqlite, verify, writeEvents } from './support.js';

/** A fresh SQLite file with 60 rows in batches of 10 (links 1–6), then 12 change rows (links 7–8), a signed checkpoint every 2 batches, and the checkpoints the host was handed. */
async function signedFile(): Promise<{ file: string; url: string; exported: Checkpoint[] }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-sqlite-chain-')), 'audit.sqlite');
  const url = `sqlite:${file}`;
  const exported: Checkpoint[] = [];
  const integrity = { signingKey: PRIVATE_PEM, checkpointEvery: { batches: 2 }, onCheckpoint: (c: Checkpoint) => void exported.push(c) };
  await writeEvents(url, 60, { integrity });
  const trail = chainedTrail(url, { integrity });
  try {
    await trail.ready();
    for (let i = 0; i < 12; i++) trail.recordChange(change(i));
    await trail.flush();
  } finally {
    await trail.close();
  }
  return { file, url, exported };
}

const idsOf = async (file: string, seq: number, table = 'user_actions') =>
  (await selectSqlite<{ id: number }>(file, `SELECT id FROM ${table} WHERE chain_seq = (SELECT batch FROM audit_chain WHERE seq = ${seq}) ORDER BY id`)).map((row) => row.id);

describe('the chain on SQLite', () => {
  it('S01 chains both tables, signs and stores checkpoints, and an intact file verifies with every signature checked', async () => {
    const { file, url, exported } = await signedFile();
    const links = await selectSqlite<{ seq: number; batch: number; row_table: string; row_count: number }>(
      file,
      'SELECT seq, batch, row_table, row_count FROM audit_chain ORDER BY seq',
    );
    expect(links.map((link) => [link.seq, link.row_table, link.row_count])).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((seq) => [seq, 'user_actions', 10]),
      [7, 'user_action_changes', 10],
      [8, 'user_action_changes', 2],
    ]);
    const [unchained] = await selectSqlite<{ n: number }>(
      file,
      'SELECT (SELECT count(*) FROM user_actions WHERE chain_seq IS NULL) + (SELECT count(*) FROM user_action_changes WHERE chain_seq IS NULL) AS n',
    );
    expect(unchained!.n).toBe(0);
    expect(exported.map((c) => c.seq)).toEqual([2, 4, 6, 8]);
    const stored = await selectSqlite<{ seq: number }>(file, 'SELECT seq FROM audit_checkpoints ORDER BY seq');
    expect(stored.map((row) => row.seq)).toEqual([2, 4, 6, 8]);
    const report = await verify(url, { checkpoints: exported });
    expect(report.finding).toBeUndefined();
    expect(report).toMatchObject({ intact: true, rows: 72, links: 8, unchainedRows: 0, checkpoints: 8, signaturesChecked: 8 });
    expect(await verify(url, { fromSeq: 3, toSeq: 4 })).toMatchObject({ intact: true, rows: 20, links: 2 });
  });

  it('S02 an edited row, of either table, is a modified row in its batch', async () => {
    const { file, url } = await signedFile();
    const [id] = (await idsOf(file, 3)).slice(4);
    await asSqliteOwner(file, [`UPDATE user_actions SET user_agent = 'curl/8.0' WHERE id = ${id}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'modified', seq: 3, table: 'user_actions' });

    const second = await signedFile();
    const [changeId] = await idsOf(second.file, 7, 'user_action_changes');
    // The same JSON written with other spacing and key order is the same value, as jsonb would hold it; a changed value is not.
    await asSqliteOwner(second.file, [`UPDATE user_action_changes SET changes = '{ "note": ["", "é \\"quoted\\""],  "amount": [0, 1] }' WHERE id = ${changeId}`]);
    expect((await verify(second.url)).intact).toBe(true);
    await asSqliteOwner(second.file, [`UPDATE user_action_changes SET changes = '{"amount": [0, 2], "note": ["", "é \\"quoted\\""]}' WHERE id = ${changeId}`]);
    expect((await verify(second.url)).finding).toMatchObject({ kind: 'modified', seq: 7, table: 'user_action_changes' });
  });

  it('S03 a deleted row is named with its batch and id', async () => {
    const { file, url } = await signedFile();
    const [id] = (await idsOf(file, 2)).slice(3);
    await asSqliteOwner(file, [`DELETE FROM user_actions WHERE id = ${id}`]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'deleted', seq: 2, rowId: id });
  });

  it('S04 a forged row with a chain_seq, and one without, are inserted rows', async () => {
    const copy = `INSERT INTO user_actions (timestamp, user_id, username, user_roles, action_type, resource, outcome, chain_seq)
      SELECT timestamp, 'mallory', 'mallory', user_roles, action_type, resource, outcome, CHAIN FROM user_actions WHERE id = 5`;
    const { file, url } = await signedFile();
    await asSqliteOwner(file, [copy.replace('CHAIN', '4')]);
    expect((await verify(url)).finding).toMatchObject({ kind: 'inserted', seq: 4 });

    const second = await signedFile();
    await asSqliteOwner(second.file, [copy.replace('CHAIN', 'NULL')]);
    expect((await verify(second.url)).finding).toMatchObject({ kind: 'inserted', seq: 6, rowId: 61 });
  });

  it('S05 a deleted chain link, and an edited one, are broken links', async () => {
    const { file, url } = await signedFile();
    await asSqliteOwner(file, ['DELETE FROM audit_chain WHERE seq = 3']);
    expect((await verify(url)).finding).toMatchObject({ kind: 'broken_link', seq: 3 });

    const second = await signedFile();
    await asSqliteOwner(second.file, ['UPDATE audit_chain SET row_count = 9 WHERE seq = 4']);
    expect((await verify(second.url)).finding).toMatchObject({ kind: 'broken_link', seq: 4 });
  });

  it('S06 the last batches cut with their links and checkpoints are caught by the exported checkpoints; a forged signature is a bad one', async () => {
    const { file, url, exported } = await signedFile();
    await asSqliteOwner(file, [
      'DELETE FROM user_action_changes WHERE chain_seq IN (SELECT batch FROM audit_chain WHERE seq >= 7)',
      'DELETE FROM user_actions WHERE chain_seq IN (SELECT batch FROM audit_chain WHERE seq >= 5)',
      'DELETE FROM audit_chain WHERE seq >= 5',
      'DELETE FROM audit_checkpoints WHERE seq >= 5',
    ]);
    expect((await verify(url)).intact).toBe(true);
    expect((await verify(url, { checkpoints: exported })).finding).toMatchObject({ kind: 'truncated', seq: 6 });
    const forged = { ...exported[0]!, signedAt: new Date(0).toISOString() };
    expect((await verify(url, { checkpoints: [forged] })).finding).toMatchObject({ kind: 'bad_signature', seq: 2 });
  });

  it('S07 prune deletes whole batches of both tables, leaves a signed checkpoint at the new start, and the rest verifies', async () => {
    const { file, url, exported } = await signedFile();
    const trail = chainedTrail(url, { integrity: { signingKey: PRIVATE_PEM } });
    try {
      // A cut-off before every link takes nothing.
      expect(await trail.prune({ olderThan: '2000-01-01T00:00:00Z' })).toMatchObject({ deleted: 0, deletedChanges: 0 });
      const dry = await trail.prune({ olderThan: new Date(Date.now() + 60_000), force: true, dryRun: true });
      expect(dry).toMatchObject({ wouldDelete: 60, wouldDeleteChanges: 10 });
      expect(await trail.prune({ olderThan: new Date(Date.now() + 60_000), force: true, batchSize: 20 })).toMatchObject({ deleted: 60, deletedChanges: 10 });
      const links = await selectSqlite<{ seq: number }>(file, 'SELECT seq FROM audit_chain ORDER BY seq');
      expect(links.map((link) => link.seq)).toEqual([8]);
      const [door] = await selectSqlite<{ n: number }>(file, 'SELECT count(*) AS n FROM audit_trail_prune_door');
      expect(door!.n).toBe(0); // the append-only triggers guard again
      const report = await trail.verify({ publicKey: PUBLIC_PEM, checkpoints: exported.filter((c) => c.seq >= 8) });
      expect(report.finding).toBeUndefined();
      expect(report).toMatchObject({ intact: true, rows: 2, firstSeq: 8, lastSeq: 8 });
      expect(report.signaturesChecked).toBeGreaterThanOrEqual(2); // the prune's and the writer's at 8
    } finally {
      await trail.close();
    }
  });

  it('S08 audit-trail verify reads a SQLite file: exit 0 intact, exit 1 with the finding once a row is edited', async () => {
    const { file, url } = await signedFile();
    const intact = await cli(['verify', '--database', url]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^intact: 72 chained rows, links 1–8, 0 unchained \(older\) rows/);
    await asSqliteOwner(file, [`UPDATE user_actions SET username = 'mallory' WHERE id = 12`]);
    const tampered = await cli(['verify', '--database', url, '--json']);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout).finding).toMatchObject({ kind: 'modified', seq: 2 });
  });

  it("S09 every migration runs down to zero and up again on SQLite, leaving the same schema, the chain's indexes included", async () => {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: path.join(mkdtempSync(path.join(tmpdir(), 'audit-sqlite-migrate-')), 'audit.sqlite'), logging: false });
    const schema = () =>
      sequelize.query<{ name: string; sql: string | null }>(`SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`, { type: QueryTypes.SELECT });
    try {
      await migrateToLatest(sequelize, silentLogger, 10_000);
      const first = await schema();
      expect(first.map((entry) => entry.name)).toEqual(expect.arrayContaining(['ux_audit_chain_batch', 'ix_audit_chain_first_id']));
      await createMigrator(sequelize, silentLogger).down({ to: 0 });
      expect((await schema()).map((entry) => entry.name)).toEqual(['audit_trail_migrations']);
      await migrateToLatest(sequelize, silentLogger, 10_000);
      expect(await schema()).toEqual(first);
    } finally {
      await sequelize.close();
    }
  });

  it('S10 two trails on one file, each with its own connections, write at once: one gapless chain that verifies', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-sqlite-chain-')), 'audit.sqlite');
    const url = `sqlite:${file}`;
    await writeEvents(url, 1); // migrated once, before both start
    await Promise.all(['a', 'b'].map((prefix) => writeEvents(url, 100, {}, prefix)));
    const links = await selectSqlite<{ seq: number }>(file, 'SELECT seq FROM audit_chain ORDER BY seq');
    expect(links.map((link) => link.seq)).toEqual(links.map((_, i) => i + 1));
    expect(await verify(url)).toMatchObject({ intact: true, rows: 201, unchainedRows: 0 });
  });

  it("S11 the trail's file is in WAL mode: a reader holding a read transaction open does not hold off the writer's commits", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-sqlite-chain-')), 'audit.sqlite');
    const url = `sqlite:${file}`;
    await writeEvents(url, 10);
    expect(await selectSqlite(file, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    // A verification's view of the file, as another process would hold it: a read transaction left open.
    const reader = new sqlite3.Database(file);
    const run = (sql: string) => new Promise<unknown[]>((done, fail) => reader.all(sql, (error, rows) => (error ? fail(error) : done(rows))));
    await run('BEGIN');
    expect(await run('SELECT count(*) AS n FROM user_actions')).toEqual([{ n: 10 }]);
    const trail = chainedTrail(url);
    try {
      await trail.ready();
      for (let i = 0; i < 30; i++) trail.record(event(i, `while-reading-${i}`));
      const started = Date.now();
      await trail.flush();
      // In rollback-journal mode the commit waits for the reader, up to the chain's 10 s busy timeout.
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await run('SELECT count(*) AS n FROM user_actions')).toEqual([{ n: 10 }]);
    } finally {
      await run('COMMIT');
      await new Promise((done) => reader.close(done));
      await trail.close();
    }
    expect(await verify(url)).toMatchObject({ intact: true, rows: 40 });
  });

  it('S12 the lines the writer makes from the values it inserts are the lines verify reads back: awkward and odd values, retried and repeated events', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-sqlite-chain-')), 'audit.sqlite');
    const url = `sqlite:${file}`;
    const odd: Array<Partial<Record<keyof AuditEvent, unknown>>> = [
      { username: 'lone \ud800 surrogate', resource: '/authors/$1?q=:name' },
      { durationMs: 0.1 + 0.2, responseStatus: 2 ** 60 },
      { timestamp: new Date('+010000-01-01T00:00:00Z'), userId: 12 },
      { requestData: '1e400', userRoles: ['reader', 3] },
    ];
    // One event or change to a batch: each batch is made from its values, or read back when one is not certain.
    const single = chainedTrail(url, { batchSize: 1 });
    try {
      await single.ready();
      for (const [id, awkward] of awkwardEvents()) single.record(awkward, id);
      for (const [i, values] of odd.entries()) single.record({ ...event(i), ...values } as AuditEvent);
      for (const [i, value] of AWKWARD_JSON.entries()) single.recordChange({ ...change(i), changes: JSON.stringify(i === 4 ? value : { value }) });
      await single.flush();
    } finally {
      await single.close();
    }
    // A retried event (stored before: INSERT OR IGNORE skips it), then one recorded twice in a batch.
    const retried = chainedTrail(url, { batchSize: 3 });
    const ids = Array.from({ length: 6 }, () => randomUUID());
    try {
      await retried.ready();
      for (const batch of [
        [0, 1, 2],
        [1, 3, 4],
        [5, 5, 0],
      ]) {
        for (const i of batch) retried.record(event(i), ids[i]);
        await retried.flush();
      }
    } finally {
      await retried.close();
    }
    const links = await selectSqlite<{ row_count: number }>(file, 'SELECT row_count FROM audit_chain ORDER BY seq');
    const singles = awkwardEvents().length + odd.length + AWKWARD_JSON.length;
    expect(links.map((link) => link.row_count)).toEqual([...Array<number>(singles).fill(1), 3, 2, 1]);
    const report = await verify(url);
    expect(report.finding).toBeUndefined();
    expect(report).toMatchObject({ intact: true, rows: singles + 6, unchainedRows: 0 });
  });
});
