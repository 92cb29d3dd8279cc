import { isAudited, SERVER_KINDS, type ServerKind } from './apps/bench-app.js';
import type { BenchDatabase } from './bench-database.js';
import { load, type LoadResult, type LoadShape } from './load.js';
import { ServerProcess } from './server-process.js';

export interface RunSample {
  readonly kind: ServerKind;
  readonly round: number;
  readonly load: LoadResult;
  /** Requests that reached the server during the run. */
  readonly requests: number;
  /** user_actions rows after the writer flushed; undefined for servers that do not audit. */
  readonly rows: number | undefined;
  readonly peakRssMiB: number;
}

export interface RoundsSettings extends LoadShape {
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly logFile: string;
}

/**
 * Every server runs once per round, in an order rotated each round, so neighbouring runs of a
 * server and its bare twin see the same background load (A B A B rather than A A A B B B).
 */
export async function runRounds(database: BenchDatabase, settings: RoundsSettings): Promise<RunSample[]> {
  const env = { BENCH_DATABASE_URL: database.url, BENCH_LOG_FILE: settings.logFile };
  const servers: ServerProcess[] = [];
  try {
    for (const kind of SERVER_KINDS) servers.push(await ServerProcess.start(kind, env));
    for (const server of servers) {
      await load(server.url, { ...settings, durationSeconds: settings.warmupSeconds });
      await server.flush();
    }
    const samples: RunSample[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const server of rotate(servers, round - 1)) {
        const sample = await measure(server, round, database, settings);
        samples.push(sample);
        console.log(progressLine(sample, settings.rounds));
      }
    }
    return samples;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

async function measure(server: ServerProcess, round: number, database: BenchDatabase, shape: LoadShape): Promise<RunSample> {
  const audited = isAudited(server.kind);
  if (audited) await database.truncate();
  const before = await server.flush();
  const result = await load(server.url, shape);
  const after = await server.flush();
  return {
    kind: server.kind,
    round,
    load: result,
    requests: after - before,
    rows: audited ? await database.rows() : undefined,
    peakRssMiB: server.memory().peakMiB,
  };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

function progressLine({ kind, round, load, requests, rows }: RunSample, rounds: number): string {
  const stored = rows === undefined ? '' : `, ${rows} rows`;
  const failures = load.failures > 0 ? `, ${load.failures} FAILED` : '';
  return `  round ${round}/${rounds} ${kind.padEnd(13)} ${Math.round(load.requestsPerSecond)} req/s, p99 ${load.p99Ms.toFixed(2)} ms, ${requests} requests${stored}${failures}`;
}
