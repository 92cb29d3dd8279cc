// `npm run bench:changes`: what trackChanges costs the host. Two Express 5 processes, identical but for
// trackChanges, each updating one row per request; alternating rounds of autocannon against each.
// Prints req/s, the ratio (target ≥ 0.9), and the main thread's busy time per request in each, whose
// difference is the host thread's cost per tracked write. Then the request context alone, in-process.
// Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres). BENCH_ROUNDS, BENCH_SECONDS.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createScratchDatabase } from './scratch-database.js';
import { measureContext, measureTrackedWrite } from './changes-context.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SERVER = fileURLToPath(new URL('./changes-server.ts', import.meta.url));

interface Host {
  readonly child: ChildProcess;
  readonly url: string;
}

async function start(url: string, track: boolean): Promise<Host> {
  const child = fork(SERVER, { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_DATABASE_URL: url, TRACK: track ? '1' : '0' } });
  const [message] = (await once(child, 'message')) as [{ url: string }];
  return { child, url: message.url };
}

async function ask<T>(host: Host, message: string): Promise<T> {
  host.child.send(message);
  const [reply] = (await once(host.child, 'message')) as [T];
  return reply;
}

async function round(host: Host) {
  await ask(host, 'reset');
  const result = await autocannon({ url: host.url, requests: [{ method: 'POST' }], connections: 10, duration: SECONDS });
  const { activeMs } = await ask<{ activeMs: number }>(host, 'stats');
  return { rps: result.requests.total / result.duration, perRequestMs: activeMs / result.requests.total, failures: result.errors + result.non2xx };
}

const scratch = await createScratchDatabase(ADMIN_URL, 'changes');
const hosts: Host[] = [];
try {
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  await client.query(
    `CREATE TABLE "Invoices" (id serial PRIMARY KEY, amount integer, "createdAt" timestamptz NOT NULL DEFAULT now(), "updatedAt" timestamptz NOT NULL DEFAULT now())`,
  );
  await client.query(`INSERT INTO "Invoices" (amount) SELECT 0 FROM generate_series(1, 1000)`);
  await client.end();
  const off = await start(scratch.url, false);
  hosts.push(off);
  const on = await start(scratch.url, true);
  hosts.push(on);
  const totals = { off: { rps: 0, ms: 0 }, on: { rps: 0, ms: 0 } };
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, host] of (i % 2 === 0
      ? [
          ['off', off],
          ['on', on],
        ]
      : [
          ['on', on],
          ['off', off],
        ]) as Array<['off' | 'on', Host]>) {
      const result = await round(host);
      if (result.failures > 0) console.log(`  round ${i + 1} ${name}: ${result.failures} failed request(s)`);
      console.log(`  round ${i + 1} ${name.padEnd(3)} ${result.rps.toFixed(0).padStart(6)} req/s, main thread ${(result.perRequestMs * 1000).toFixed(0)} µs/request`);
      totals[name].rps += result.rps / ROUNDS;
      totals[name].ms += result.perRequestMs / ROUNDS;
    }
  }
  console.log(`\ntrackChanges off: ${totals.off.rps.toFixed(0)} req/s; on: ${totals.on.rps.toFixed(0)} req/s; ratio ${(totals.on.rps / totals.off.rps).toFixed(3)} (target ≥ 0.9)`);
  console.log(
    `main thread per request: off ${(totals.off.ms * 1000).toFixed(0)} µs, on ${(totals.on.ms * 1000).toFixed(0)} µs; per tracked write ${((totals.on.ms - totals.off.ms) * 1000).toFixed(0)} µs`,
  );
  console.log(measureContext());
  console.log(await measureTrackedWrite());
} finally {
  for (const host of hosts) host.child.kill();
  await scratch.drop();
}
