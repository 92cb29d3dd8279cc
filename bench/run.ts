// `npm run bench`: the HTTP table, the RSS trend, then the writer, authors-listing and query benches.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchDatabase } from './bench-database.js';
import { costLines, httpTable, summarize, targetLines } from './http-report.js';
import { runRounds } from './http-rounds.js';
import { parseBenchOptions, type BenchOptions } from './options.js';
import { rssTrend } from './rss-trend.js';

const options = parseBenchOptions(process.argv.slice(2));
const here = path.dirname(fileURLToPath(import.meta.url));

if (options.parts.includes('http') || options.parts.includes('rss')) await httpBenches(options);
if (options.parts.includes('writer')) await script('writer.ts');
if (options.parts.includes('authors')) await script('authors-listing.ts');
if (options.parts.includes('query')) await script('query.ts');

async function httpBenches(options: BenchOptions): Promise<void> {
  const logFile = path.join(tmpdir(), `audit-trail-bench-${process.pid}.log`);
  const database = await BenchDatabase.create(options.postgresUrl);
  try {
    if (options.parts.includes('http')) {
      console.log(
        `HTTP: ${cpus().length} cores, autocannon in this process, ${options.connections} connections` +
          `${options.rate === undefined ? '' : ` at ${options.rate} req/s`}, GET + JSON POST, ` +
          `${options.rounds} rounds × ${options.durationSeconds} s per server (order rotated each round), medians.`,
      );
      const summaries = summarize(await runRounds(database, { ...options, logFile }));
      console.log(`\n${httpTable(summaries)}\n\n${[...targetLines(summaries, options.rate !== undefined), ...costLines(summaries)].join('\n')}\n`);
    }
    if (options.parts.includes('rss')) {
      console.log((await rssTrend(database, { connections: options.connections, durationSeconds: options.rssSeconds, logFile })).join('\n'));
    }
  } finally {
    await database.drop();
    rmSync(logFile, { force: true });
  }
}

/** Runs a sibling bench with tsx, in its own process. */
async function script(name: string): Promise<void> {
  const file = path.join(here, name);
  console.log(`\n$ tsx bench/${name}`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) process.exitCode = 1;
}
