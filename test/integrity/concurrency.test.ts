import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainAppender } from '../../src/integrity/appender.js';
import { LOCK_KEYS } from '../../src/store/advisory-lock.js';
import { newEventId } from '../../src/writer/event-id.js';
import { CHAINED_INSERT, documentOf, idsAndRowsOf } from '../../src/writer/postgres-fast-path.js';
import { rowTextOf } from '../../src/writer/row-text.js';
import { createTestDatabase, useTestDatabase } from '../support/database.js';
import { asOwner, chainedTrail, event, select } from './support.js';

const run = promisify(execFile);
const WRITER = fileURLToPath(new URL('../fixtures/chain-writer.ts', import.meta.url));

async function chainSummary(url: string) {
  const [summary] = await select<{ links: string; first: string; last: string; rows: string; empty: string }>(
    url,
    'SELECT count(*) AS links, min(seq) AS first, max(seq) AS last, coalesce(sum(row_count), 0) AS rows, count(*) FILTER (WHERE row_count = 0) AS empty FROM audit_chain',
  );
  const [stored] = await select<{ rows: string; distinct: string; batches: string }>(
    url,
    'SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct, count(DISTINCT chain_seq) AS batches FROM user_actions',
  );
  return {
    links: Number(summary!.links),
    first: Number(summary!.first),
    last: Number(summary!.last),
    chainedRows: Number(summary!.rows),
    empty: Number(summary!.empty),
    rows: Number(stored!.rows),
    distinct: Number(stored!.distinct),
    batches: Number(stored!.batches),
  };
}

async function verify(url: string) {
  const trail = chainedTrail(url);
  try {
    return await trail.verify();
  } finally {
    await trail.close();
  }
}

describe('one chain, exactly once', () => {
  const database = useTestDatabase();

  it('C01 three processes writing at once make one gapless chain that verifies', async () => {
    const migrate = chainedTrail(database.url);
    await migrate.ready();
    await migrate.close();
    const PER_PROCESS = 5_000;
    await Promise.all(
      ['a', 'b', 'c'].map((prefix) =>
        run(process.execPath, ['--import', 'tsx', WRITER], { env: { ...process.env, DATABASE_URL: database.url, COUNT: String(PER_PROCESS), PREFIX: prefix } }),
      ),
    );
    const summary = await chainSummary(database.url);
    expect(summary).toMatchObject({
      rows: 3 * PER_PROCESS,
      distinct: 3 * PER_PROCESS,
      chainedRows: 3 * PER_PROCESS,
      first: 1,
      last: summary.links,
      batches: summary.links,
      empty: 0,
    });
    const report = await verify(database.url);
    expect(report.finding).toBeUndefined();
    expect(report).toMatchObject({ intact: true, rows: 3 * PER_PROCESS, links: summary.links });

    // Batches stored at once interleave their ids; a row deleted from the middle of such a batch is still named.
    const [row] = await select<{ id: number; seq: string }>(
      database.url,
      `SELECT u.id, a.seq FROM user_actions u JOIN audit_chain a ON a.batch = u.chain_seq
       WHERE u.id > a.first_id AND u.id < a.last_id AND EXISTS (SELECT 1 FROM audit_chain b WHERE b.seq <> a.seq AND b.first_id < a.last_id AND a.first_id < b.last_id)
       ORDER BY u.id LIMIT 1`,
    );
    expect(row).toBeDefined();
    await asOwner(database.url, [`DELETE FROM user_actions WHERE id = ${row!.id}`]);
    expect((await verify(database.url)).finding).toMatchObject({ kind: 'deleted', seq: Number(row!.seq), rowId: row!.id });
  }, 180_000);
});

describe('a retried batch', () => {
  let url: string;
  let drop: () => Promise<void>;
  let client: pg.Client;
  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase());
    const migrate = chainedTrail(url);
    await migrate.ready();
    await migrate.close();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await drop();
  });

  const chain = new ChainAppender({ signingKeyPem: undefined, checkpointEvery: { batches: 1, seconds: 1 } });
  const append = (entries: ReturnType<typeof entriesOf>) =>
    chain.append(
      async () => {
        const [link] = (
          await client.query({ text: CHAINED_INSERT, values: [documentOf(idsAndRowsOf(entries.map(({ id, event }) => ({ id, event: rowTextOf(event) }))))], rowMode: 'array' })
        ).rows as Array<[string, string]>;
        return link && { seq: Number(link[0]), hash: link[1] };
      },
      (sql) => client.query(sql),
    );
  const entriesOf = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: newEventId(), event: event(from + i) }));

  it('C02 adds no second link when its rows all landed before, and links only the new rows of a partly stored one', async () => {
    const first = entriesOf(0, 5);
    await append(first);
    await append(first); // the ambiguous commit, retried: every row is already stored
    expect(await chainSummary(url)).toMatchObject({ links: 1, rows: 5, chainedRows: 5, empty: 0 });
    await append([...first.slice(2), ...entriesOf(5, 2)]); // a replayed spill segment that overlaps
    expect(await chainSummary(url)).toMatchObject({ links: 2, rows: 7, chainedRows: 7, empty: 0 });
    const [link] = await select<{ row_count: number }>(url, 'SELECT row_count FROM audit_chain WHERE seq = 2');
    expect(link!.row_count).toBe(2);
    expect((await verify(url)).intact).toBe(true);
  });

  it('C03 a writer thread terminated with batches unanswered leaves no duplicate link, no empty link, no half batch', async () => {
    const threads: Worker[] = [];
    const started = (worker: Worker) => threads.push(worker);
    process.on('worker', started);
    const trail = chainedTrail(url, { batchSize: 20, flushIntervalMs: 5 });
    try {
      await trail.ready();
      let i = 1_000;
      for (let kill = 1; kill <= 3; kill++) {
        for (let n = 0; n < 200; n++) trail.record(event(i++, `kill-${i}`));
        await sleep(30);
        const thread = threads.at(-1)!;
        const exited = new Promise((resolve) => thread.once('exit', resolve));
        const post = thread.postMessage.bind(thread);
        thread.postMessage = (message: { type?: string }) => {
          post(message);
          if (message.type === 'write') void thread.terminate();
        };
        for (let n = 0; n < 100; n++) trail.record(event(i++, `kill-${i}`));
        await exited;
      }
      await trail.flush();
    } finally {
      process.off('worker', started);
      await trail.close();
    }
    expect(threads.length).toBeGreaterThanOrEqual(4);
    const summary = await chainSummary(url);
    expect(summary).toMatchObject({ rows: 7 + 900, distinct: 7 + 900, chainedRows: 7 + 900, empty: 0, first: 1, last: summary.links, batches: summary.links });
    expect((await verify(url)).intact).toBe(true);
  });

  it('C04 a writer that dies after inserting its rows, while it waits to append their link, leaves no rows behind: the retry chains them', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query(`SELECT pg_advisory_lock(${LOCK_KEYS.chain})`); // the chain is busy
    const trail = chainedTrail(url);
    const crashed = (where: string) => select<{ n: string }>(url, `SELECT count(*) AS n FROM user_actions WHERE request_id LIKE 'crash-%' ${where}`);
    try {
      await trail.ready();
      for (let n = 0; n < 10; n++) trail.record(event(5_000 + n, `crash-${n}`));
      const waiting = async () => select<{ pid: number }>(url, "SELECT pid FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = current_database()");
      let blocked = await waiting();
      for (let tries = 0; blocked.length === 0 && tries < 200; tries++) blocked = await sleep(25).then(waiting);
      expect(blocked).toHaveLength(1);
      expect(Number((await crashed(''))[0]!.n)).toBe(0); // inserted, not committed: nobody sees them
      await select(url, `SELECT pg_terminate_backend(${blocked[0]!.pid})`);
      await holder.query(`SELECT pg_advisory_unlock(${LOCK_KEYS.chain})`);
      await trail.flush();
    } finally {
      await trail.close();
      await holder.end();
    }
    expect(Number((await crashed(''))[0]!.n)).toBe(10);
    expect(Number((await crashed('AND chain_seq IS NULL'))[0]!.n)).toBe(0);
    const summary = await chainSummary(url);
    expect(summary).toMatchObject({ chainedRows: summary.rows, empty: 0, first: 1, last: summary.links, batches: summary.links });
    expect((await verify(url)).intact).toBe(true);
  });
});
