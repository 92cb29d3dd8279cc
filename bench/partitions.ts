// Time partitioning at scale: `npm run bench:partitions`. Needs PostgreSQL (DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres, a user that may CREATE DATABASE); works in scratch
// databases, dropped at the end. BENCH_PARTITION_ROWS (default 10,000,000) rows over BENCH_PARTITION_DAYS
// (default 90) days, generated through SQL, in two databases: one plain, one partitioned by
// BENCH_PARTITION_INTERVAL (default day) since the
// first of those days. Prints:
//   1. the time to partition an existing table of BENCH_CONVERT_ROWS (default 1,000,000) rows;
//   2. rows/s through the trail (record() to stored), partitioned against plain, rounds alternating;
//   3. query() by user and by a day's time range, median of 5, and how many partitions the day's plan reads;
//   4. pruning the oldest 30 days: dropping partitions against deleting row by row. With
//      BENCH_PARTITION_CHAIN=1, a third database holds the same rows chained (the tamper-evidence chain,
//      batches of 500 rows as the writer stores them, each link dated as its newest row) and is pruned
//      the same way with the chain on and a signing key, then verified.
import { performance } from 'node:perf_hooks';
import { QueryTypes, Sequelize } from 'sequelize';
import { createAuditTrail, type AuditTrailOptions } from '../src/index.js';
import { silentLogger } from '../src/logger.js';
import { partitionTables } from '../src/partitions/convert.js';
import { intervalStart, type Interval } from '../src/partitions/intervals.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { event, PRIVATE_PEM } from '../test/integrity/support.js';
import { partitionedSince } from '../test/support/partitions.js';
import { generateRows, sqlRecorder } from '../test/support/plans.js';
import { createScratchDatabase } from './scratch-database.js';
import { median } from './stats.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_PARTITION_ROWS ?? 10_000_000);
const DAYS = Number(process.env.BENCH_PARTITION_DAYS ?? 90);
const CONVERT_ROWS = Number(process.env.BENCH_CONVERT_ROWS ?? 1_000_000);
const TRAIL_EVENTS = Number(process.env.BENCH_TRAIL_EVENTS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRUNE_DAYS = 30;
const DAY = 86_400_000;
const CHUNK = 1_000_000;
const INTERVAL = (process.env.BENCH_PARTITION_INTERVAL ?? 'day') as Interval;
const CHAIN = process.env.BENCH_PARTITION_CHAIN === '1';
/** Rows per chained batch: the writer's default batchSize. */
const CHAIN_BATCH = 500;
const PARTITIONS = { interval: INTERVAL, premake: 3 };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** `count` rows spread over `days` days ending `endDaysAgo` ago, a million per statement, or chained in batches of `chainBatch`. */
async function fill(sequelize: Sequelize, count: number, days: number, { endDaysAgo = 0, chainBatch = 0 } = {}): Promise<void> {
  for (let done = 0; done < count; done += CHUNK) {
    const chunk = Math.min(CHUNK, count - done);
    // Each chunk takes its share of the days, oldest first, so ids grow with time as in a live table.
    const chunkDays = (days * chunk) / count;
    await generateRows(sequelize, chunk, { days: chunkDays, endDaysAgo: endDaysAgo + days - (days * (done + chunk)) / count, chainBatch });
  }
}

/** Dates each link as its newest row, as if the writer had stored the rows as they were recorded. */
async function backdateLinks(sequelize: Sequelize): Promise<void> {
  await sequelize.query('ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only');
  // One pass over the rows: a max per link, looked up link by link, would walk the timestamp index backwards.
  await sequelize.query(
    'UPDATE audit_chain c SET created_at = t.newest FROM (SELECT chain_seq, max("timestamp") AS newest FROM user_actions GROUP BY chain_seq) t WHERE t.chain_seq = c.batch',
  );
  await sequelize.query('ALTER TABLE audit_chain ENABLE TRIGGER audit_chain_append_only');
}

/** The two steps of part 4 on a partitioned database: to the start of the cut-off's partition, then to the cut-off. */
async function pruneInTwoSteps(options: AuditTrailOptions, boundary: Date, cutoff: Date) {
  const trail = createAuditTrail({ logger: false, partitioning: PARTITIONS, ...options });
  await trail.ready();
  const [whole, wholeMs] = await timed(() => trail.prune({ olderThan: boundary }));
  const [straddling, straddlingMs] = await timed(() => trail.prune({ olderThan: cutoff }));
  const [report, verifyMs] = options.integrity ? await timed(() => trail.verify()) : [undefined, 0];
  await trail.close();
  return { whole, wholeMs, straddling, straddlingMs, report, verifyMs };
}

/** Events recorded and stored through a whole trail, per second. */
async function trailThroughput(options: AuditTrailOptions): Promise<number> {
  const trail = createAuditTrail({ logger: false, maxQueue: TRAIL_EVENTS + 1, ...options });
  await trail.ready();
  const [, ms] = await timed(async () => {
    for (let i = 0; i < TRAIL_EVENTS; i++) {
      trail.record(event(i, `bench-${i}`));
      if (i % 5_000 === 4_999) await new Promise((resolve) => setImmediate(resolve));
    }
    await trail.flush();
  });
  await trail.close();
  return (TRAIL_EVENTS / ms) * 1000;
}

/** Partitions of user_actions the plan of `sql` reads. */
async function partitionsRead(sequelize: Sequelize, sql: string): Promise<string[]> {
  const [rows] = await sequelize.query(`EXPLAIN (COSTS OFF) ${sql}`);
  const text = (rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
  return [...new Set(text.match(/user_actions_(?:p\d{8}(?:_\d{6})?|initial|default)(?!\w)/g) ?? [])];
}

async function main() {
  console.log(`bench:partitions — ${fmt(ROWS)} rows over ${DAYS} days; partitions by ${INTERVAL}; ${fmt(TRAIL_EVENTS)} events per trail round\n`);
  const plainDb = await createScratchDatabase(ADMIN_URL, 'plain');
  const partDb = await createScratchDatabase(ADMIN_URL, 'parts');
  const convertDb = await createScratchDatabase(ADMIN_URL, 'convert');
  const chainDb = CHAIN ? await createScratchDatabase(ADMIN_URL, 'chain') : undefined;
  const recorder = sqlRecorder();
  const plain = new Sequelize(plainDb.url, { logging: false });
  const parted = new Sequelize(partDb.url, { logging: recorder.logging });
  const converting = new Sequelize(convertDb.url, { logging: false });
  const chained = chainDb && new Sequelize(chainDb.url, { logging: false });
  try {
    // 1. Partitioning a table that already holds rows.
    await migrateToLatest(converting, silentLogger, 60_000);
    await fill(converting, CONVERT_ROWS, DAYS);
    const [, convertMs] = await timed(() => partitionTables(converting, PARTITIONS, silentLogger));
    console.log(`1. partitioning an existing table of ${fmt(CONVERT_ROWS)} rows (attach with a CHECK, two unique indexes built): ${seconds(convertMs)}\n`);
    await converting.close();
    await convertDb.drop();

    await migrateToLatest(plain, silentLogger, 60_000);
    await partitionedSince(parted, DAYS, INTERVAL);
    const [, plainFill] = await timed(() => fill(plain, ROWS, DAYS));
    const [, partFill] = await timed(() => fill(parted, ROWS, DAYS));
    console.log(`generating the rows through SQL: plain ${seconds(plainFill)}, partitioned ${seconds(partFill)}\n`);
    if (chained) {
      await partitionedSince(chained, DAYS, INTERVAL);
      const [, chainFill] = await timed(() => fill(chained, ROWS, DAYS, { chainBatch: CHAIN_BATCH }));
      await backdateLinks(chained);
      console.log(`generating the same rows chained, in batches of ${CHAIN_BATCH}, partitioned: ${seconds(chainFill)}\n`);
    }

    // 2. Inserts through the trail, on top of the rows already there.
    const rates = { plain: [] as number[], partitioned: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      rates.plain.push(await trailThroughput({ database: plainDb.url }));
      rates.partitioned.push(await trailThroughput({ database: partDb.url, partitioning: PARTITIONS }));
    }
    const [plainRate, partRate] = [median(rates.plain), median(rates.partitioned)];
    console.log('2. inserts through the trail (rows/s, median of rounds A/B alternating)');
    console.log(
      `   plain ${fmt(plainRate)}   partitioned ${fmt(partRate)}   ratio ${(partRate / plainRate).toFixed(2)}x (target >= 0.9x)  [rounds: plain ${rates.plain.map(fmt).join(', ')}; partitioned ${rates.partitioned.map(fmt).join(', ')}]\n`,
    );

    // 3. Reading.
    const dayStart = new Date(Math.floor(Date.now() / DAY) * DAY - 10 * DAY);
    const dayEnd = new Date(dayStart.getTime() + DAY - 1);
    const reads = {
      'by user (user-7, first page of 50)': { userId: 'user-7', limit: 50 },
      [`by time range (${dayStart.toISOString().slice(0, 10)}, one day, first page of 50)`]: { from: dayStart, to: dayEnd, limit: 50 },
    };
    console.log('3. query(), median of 5 runs');
    const trails = {
      plain: createAuditTrail({ database: plainDb.url, logger: false }),
      partitioned: createAuditTrail({ database: parted, logger: false, partitioning: PARTITIONS }),
    };
    for (const [name, query] of Object.entries(reads)) {
      const times: Record<string, number> = {};
      for (const [kind, trail] of Object.entries(trails)) {
        const runs: number[] = [];
        for (let i = 0; i < 5; i++) runs.push((await timed(() => trail.query(query)))[1]);
        times[kind] = median(runs);
      }
      console.log(`   ${name}: plain ${times.plain!.toFixed(1)} ms, partitioned ${times.partitioned!.toFixed(1)} ms`);
    }
    await trails.partitioned.query(reads[Object.keys(reads)[1]!]!);
    const daySql = recorder.last();
    const dayParts = await partitionsRead(parted, daySql);
    const userParts = await partitionsRead(parted, (await trails.partitioned.query({ userId: 'user-7', limit: 50 }), recorder.last()));
    console.log(`   EXPLAIN, partitioned: the day's query reads ${dayParts.length} partition(s): ${dayParts.join(', ')} (target: 1)`);
    console.log(`   EXPLAIN, partitioned: the user's query reads ${userParts.length} partition(s) (no time bound: all of them, newest first)\n`);
    await Promise.all(Object.values(trails).map((t) => t.close()));

    // 4. Pruning the oldest 30 days: `olderThan: '60d'` of 90 days. The partitioned side goes in two steps,
    // timed apart: first to the start of the cut-off's partition (whole partitions only), then to the
    // cut-off itself (the straddling partition's older rows, one by one). Rates per row removed compare
    // the drop with the row-by-row prune whatever the rows each covers.
    const cutoff = new Date(Date.now() - (DAYS - PRUNE_DAYS) * DAY);
    const boundary = intervalStart(INTERVAL, cutoff);
    const [{ n: inDropped } = { n: '0' }] = await parted.query<{ n: string }>(`SELECT count(*) AS n FROM user_actions WHERE "timestamp" < :boundary`, {
      type: QueryTypes.SELECT,
      replacements: { boundary },
    });
    const { whole, wholeMs, straddling, straddlingMs } = await pruneInTwoSteps({ database: parted }, boundary, cutoff);
    const plainTrail = createAuditTrail({ database: plainDb.url, logger: false });
    await plainTrail.ready();
    const [rowByRow, plainMs] = await timed(() => plainTrail.prune({ olderThan: cutoff }));
    await plainTrail.close();
    const msPerRow = { plain: plainMs / rowByRow.deleted, dropped: wholeMs / Number(inDropped) };
    console.log(`4. prune the oldest ${PRUNE_DAYS} days (olderThan ${DAYS - PRUNE_DAYS}d: before ${cutoff.toISOString()})`);
    console.log(`   plain, row by row: ${fmt(rowByRow.deleted)} rows deleted in ${seconds(plainMs)}`);
    console.log(
      `   partitioned: ${whole.partitionsDropped} partitions (${fmt(Number(inDropped))} rows, before ${boundary.toISOString().slice(0, 10)}) dropped in ${seconds(wholeMs)}, then ${fmt(straddling.deleted)} rows of the straddling partition deleted one by one in ${seconds(straddlingMs)}`,
    );
    console.log(
      `   per row removed, dropping is ${(msPerRow.plain / msPerRow.dropped).toFixed(0)}x faster than row by row (target >= 100x); the whole prune ${(plainMs / (wholeMs + straddlingMs)).toFixed(0)}x faster`,
    );
    if (chained) {
      const chain = await pruneInTwoSteps({ database: chained, integrity: { signingKey: PRIVATE_PEM } }, boundary, cutoff);
      console.log(
        `   partitioned, chain on: ${chain.whole.partitionsDropped} partitions dropped and ${fmt(chain.whole.deleted)} rows deleted one by one (batches across a kept partition, the chain's old batches left) in ${seconds(chain.wholeMs)}, then ${chain.straddling.partitionsDropped} more partition(s) dropped and ${fmt(chain.straddling.deleted)} rows deleted one by one in ${seconds(chain.straddlingMs)}`,
      );
      console.log(
        `   the whole prune, chain on: ${(plainMs / (chain.wholeMs + chain.straddlingMs)).toFixed(0)}x faster than row by row without it; verify() after it: ${chain.report!.intact ? 'intact' : `NOT intact (${chain.report!.finding?.message})`}, ${fmt(chain.report!.rows)} rows from link ${chain.report!.firstSeq} in ${seconds(chain.verifyMs)}`,
      );
    }
  } finally {
    await Promise.allSettled([plain.close(), parted.close(), chained?.close()]);
    await Promise.allSettled([plainDb.drop(), partDb.drop(), chainDb?.drop()]);
  }
}

await main();
