// `npm run bench`: the HTTP parts (as fast as each server answers, at a fixed rate, large bodies), the RSS
// trend, then the writer, authors-listing and query benches, and last the targets, met or missed.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_KINDS, type ServerKind } from './apps/bench-app.js';
import { BenchDatabase } from './bench-database.js';
import { busyCheckLine, costLines, latencyTable, overviewTable, throughputTable, type HttpParts } from './http-report.js';
import { runRounds, type Scenario } from './http-rounds.js';
import { fixedRateTargets, largeBodyTargets, storedRowTargets, throughputTargets } from './http-targets.js';
import { parseBenchOptions, type BenchOptions, type Part } from './options.js';
import { rssTrend } from './rss-trend.js';
import { ServerProcess } from './server-process.js';
import { summarize, type ServerSummary } from './summary.js';
import { atLeast, formats, targetsBlock, type Target } from './targets.js';
import { WORKLOADS, type Workload } from './workload.js';

/** The large-bodies part: few requests, so that bare Express is nowhere near saturated. */
const BODY_RATE = 400;
/** bench/writer.ts's record()-to-durable figure must reach this. */
const WRITER_ROWS_PER_SECOND = 40_000;

const options = parseBenchOptions(process.argv.slice(2));
const here = path.dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const targets: Target[] = [];
const runs = (...parts: Part[]) => parts.some((part) => options.parts.includes(part));

const http = runs('http', 'fixed', 'bodies', 'rss') ? await httpBenches(options) : undefined;
targets.push(...(http?.targets ?? []));
if (runs('writer')) {
  const { rowsPerSecond } = (await script('writer.ts')) as { rowsPerSecond?: number };
  targets.push(atLeast('≥ 40k rows/s through the trail (bench:writer)', rowsPerSecond ?? Number.NaN, WRITER_ROWS_PER_SECOND, formats.rowsPerSecond));
}
if (runs('authors')) await script('authors-listing.ts');
if (runs('query')) await script('query.ts');
if (http?.overview) console.log(`\nAll HTTP parts, medians over rounds (as in the README):\n\n${http.overview}`);
if (targets.length > 0) console.log(`\n${targetsBlock(targets)}`);
console.log(`\nThe whole run took ${((Date.now() - started) / 60_000).toFixed(1)} min.`);

async function httpBenches(options: BenchOptions): Promise<{ targets: Target[]; overview: string | undefined }> {
  const logFile = path.join(tmpdir(), `audit-trail-bench-${process.pid}.log`);
  const database = await BenchDatabase.create(options.postgresUrl);
  const env = { BENCH_DATABASE_URL: database.url, BENCH_LOG_FILE: logFile };
  const servers: ServerProcess[] = [];
  const targets: Target[] = [];
  const everyRun: ServerSummary[] = [];
  const parts: HttpParts = {};
  const part = async (title: string, kinds: readonly ServerKind[], scenario: Scenario) => {
    console.log(`\n${title}`);
    const summaries = summarize(
      await runRounds(
        servers.filter((server) => kinds.includes(server.kind)),
        database,
        scenario,
      ),
    );
    everyRun.push(...summaries);
    return summaries;
  };
  const shape = (workload: Workload, rate?: number) => ({
    workload,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    warmupSeconds: options.warmupSeconds,
    eventLoopDelay: rate !== undefined,
    ...(rate === undefined ? {} : { rate }),
  });
  const rounds = `${options.rounds} rounds × ${options.durationSeconds} s per server after ${options.warmupSeconds} s of warm-up, order rotated each round, medians`;
  try {
    const kinds: readonly ServerKind[] = runs('http', 'fixed') ? SERVER_KINDS : runs('bodies') ? ['express', 'express-audit'] : [];
    for (const kind of kinds) servers.push(await ServerProcess.start(kind, env));
    if (kinds.length > 0) {
      console.log(
        `HTTP: ${cpus().length} cores shared by the servers (one process each), PostgreSQL and autocannon (in this process), ` + `${options.connections} connections; ${rounds}.`,
      );
    }
    if (runs('http')) {
      for (const [name, workload] of [
        ['get', WORKLOADS.get],
        ['mix', WORKLOADS.mix],
      ] as const) {
        const summaries = await part(`${workload.label}, as fast as each server answers:`, SERVER_KINDS, shape(workload));
        parts[name] = summaries;
        console.log(`\n${throughputTable(summaries)}\n${[...costLines(summaries), busyCheckLine(summaries)].join('\n')}`);
        targets.push(...throughputTargets(workload.label, summaries));
      }
    }
    if (runs('fixed')) {
      const summaries = await part(`${WORKLOADS.mix.label}, every server held at ${options.rate} req/s:`, SERVER_KINDS, shape(WORKLOADS.mix, options.rate));
      parts.fixed = summaries;
      console.log(`\n${latencyTable(summaries)}\n${busyCheckLine(summaries)}`);
      targets.push(...fixedRateTargets(options.rate, summaries));
    }
    if (runs('bodies')) {
      const workload = `${WORKLOADS.documents.label} at ${BODY_RATE} req/s`;
      const summaries = await part(`${workload}:`, ['express', 'express-audit'], shape(WORKLOADS.documents, BODY_RATE));
      parts.bodies = summaries;
      console.log(`\n${latencyTable(summaries)}\n${busyCheckLine(summaries)}`);
      targets.push(...largeBodyTargets(workload, summaries));
    }
    if (everyRun.length > 0) targets.push(...storedRowTargets(everyRun));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    if (runs('rss')) {
      const trend = await rssTrend(database, { connections: options.connections, durationSeconds: options.rssSeconds, logFile });
      console.log(`\n${trend.lines.join('\n')}`);
      targets.push(...trend.targets);
    }
    return { targets, overview: everyRun.length > 0 ? overviewTable(parts, options.rate) : undefined };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
    rmSync(logFile, { force: true });
  }
}

/** Runs a sibling bench with tsx, in its own process; resolves with the figures it sent back, if any. */
async function script(name: string): Promise<unknown> {
  const file = path.join(here, name);
  console.log(`\n$ tsx bench/${name}`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  let figures: unknown = {};
  child.on('message', (message) => (figures = message));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) process.exitCode = 1;
  return figures;
}
