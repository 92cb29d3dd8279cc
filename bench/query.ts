// Reading and pruning the trail at 1,000,000 rows: `npm run bench:query`.
// Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, a user that may
// CREATE DATABASE); works in a scratch database, dropped at the end. BENCH_QUERY_ROWS changes the size.
//   1. 1,000,000 rows over 30 days, ANALYZEd: each filter and report's plan (which index, or a
//      sequential scan) and its median time over 5 runs.
//   2. 1,000,000 more rows, all older than 365 days, pruned in batches of 10,000 while a writer keeps
//      inserting one row at a time: prune rows/s, and insert latency before and during the prune.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { createAuditTrail } from '../src/index.js';
import { createScratchDatabase } from './scratch-database.js';
import { percentile } from './stats.js';
import { FILTER_CASES, generateRows, planOf, sqlRecorder } from '../test/support/plans.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000);
const BASELINE_MS = 5_000;

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Inserts one row at a time, back to back, on its own connection, until stopped; keeps each latency. */
function startWriter(url: string) {
  const client = new pg.Client({ connectionString: url });
  let phase: number[] = [];
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const start = performance.now();
      await client.query(
        `INSERT INTO user_actions (timestamp, user_id, username, user_roles, action_type, resource, outcome, request_id, response_status, duration_ms)
         VALUES (now(), 'writer', 'writer', '[]', 'POST', '/items', 'success', $1, 201, 3)`,
        [randomBytes(8).toString('hex')],
      );
      phase.push(performance.now() - start);
    }
    await client.end();
  })();
  return {
    /** The latencies since the last call, sorted. */
    take(): number[] {
      const taken = phase.sort((a, b) => a - b);
      phase = [];
      return taken;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

function latencyLine(label: string, samples: number[], elapsedMs: number): string {
  const rate = (samples.length / elapsedMs) * 1000;
  return `  ${label.padEnd(16)} ${String(samples.length).padStart(7)} inserts  ${rate.toFixed(0).padStart(5)}/s  p50 ${ms(percentile(samples, 0.5))}  p99 ${ms(percentile(samples, 0.99))}  max ${ms(samples.at(-1) ?? Number.NaN)}`;
}

async function main() {
  const scratch = await createScratchDatabase(ADMIN_URL, 'query');
  const url = new URL(scratch.url);
  const recorder = sqlRecorder();
  const sequelize = new Sequelize(url.toString(), { logging: (sql) => recorder.logging(sql) });
  const trail = createAuditTrail({ database: sequelize, logger: false });
  try {
    await trail.ready();
    console.log(`audit-trail query bench — ${os.cpus().length} CPU(s), PostgreSQL ${(await sequelize.databaseVersion()).split(' ')[0]}`);

    let start = performance.now();
    await generateRows(sequelize, ROWS);
    console.log(`\nseeded ${ROWS.toLocaleString('en')} rows over 30 days (INSERT … SELECT generate_series, then ANALYZE) in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    console.log("\nfilter / report      plan (planner's choice)                         index path   median of 5");
    console.log('  ("index path": yes = an index serves it with sequential scans priced out; timestamp = a column the reference');
    console.log('   leaves unindexed, narrowed along the timestamp index)');
    for (const { name: filter, run, indexes } of FILTER_CASES) {
      await run(trail);
      const sql = recorder.last();
      const chosen = await planOf(sequelize, sql);
      const forced = await planOf(sequelize, sql, { withoutSeqScan: true });
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const began = performance.now();
        await run(trail);
        times.push(performance.now() - began);
      }
      times.sort((a, b) => a - b);
      const plan = chosen.seqScan ? `Seq Scan${chosen.indexes.length ? ` + ${chosen.indexes.join(', ')}` : ''}` : chosen.indexes.join(', ');
      const path = forced.seqScan ? 'none' : indexes === 'unindexed' ? 'timestamp' : 'yes';
      console.log(`  ${filter.padEnd(18)} ${plan.padEnd(48)} ${path.padEnd(12)} ${ms(percentile(times, 50))}`);
    }

    start = performance.now();
    await generateRows(sequelize, ROWS, { days: 300, endDaysAgo: 400 });
    console.log(`\nseeded ${ROWS.toLocaleString('en')} more rows, 400 to 700 days old, in ${((performance.now() - start) / 1000).toFixed(1)} s`);

    const writer = startWriter(url.toString());
    await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));
    const baseline = writer.take();
    start = performance.now();
    const { deleted } = await trail.prune({ olderThan: '365d' });
    const pruneMs = performance.now() - start;
    const during = writer.take();
    await writer.stop();

    console.log(`\nprune --older-than 365d, batches of 10,000, one writer inserting back to back on its own connection:`);
    console.log(`  deleted ${deleted.toLocaleString('en')} rows in ${(pruneMs / 1000).toFixed(1)} s: ${Math.round(deleted / (pruneMs / 1000)).toLocaleString('en')} rows/s`);
    console.log(latencyLine('before prune', baseline, BASELINE_MS));
    console.log(latencyLine('during prune', during, pruneMs));
  } finally {
    await trail.close();
    await sequelize.close();
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
