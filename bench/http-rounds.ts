import { isAudited, SERVER_KINDS, type ServerKind } from './apps/bench-app.js';
import { cpuSpent, type BenchDatabase } from './bench-database.js';
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
  /** CPU time per request of the server process, writer included. */
  readonly serverCpuMicros: number;
  /** Garbage-collection pauses of the server's main thread, per request. */
  readonly gcMicros: number;
  /** CPU time per request of the PostgreSQL backends storing its rows (0 for servers that do not audit). */
  readonly postgresCpuMicros: number;
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
  const postgresBefore = await database.backendCpu();
  const result = await load(server.url, shape);
  const after = await server.flush();
  const requests = after.requests - before.requests;
  return {
    kind: server.kind,
    round,
    load: result,
    requests,
    rows: audited ? await database.rows() : undefined,
    peakRssMiB: server.memory().peakMiB,
    serverCpuMicros: (after.cpuMicros - before.cpuMicros) / requests,
    gcMicros: (after.gcMicros - before.gcMicros) / requests,
    postgresCpuMicros: audited ? cpuSpent(postgresBefore, await database.backendCpu()) / requests : 0,
  };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

function progressLine(sample: RunSample, rounds: number): string {
  const { kind, round, load, requests, rows } = sample;
  const stored = rows === undefined ? '' : `, ${rows} rows`;
  const failures = load.failures > 0 ? `, ${load.failures} FAILED` : '';
  const cpu = `${Math.round(sample.serverCpuMicros + sample.postgresCpuMicros)} µs CPU/req`;
  return `  round ${round}/${rounds} ${kind.padEnd(13)} ${Math.round(load.requestsPerSecond)} req/s, p99 ${load.p99Ms.toFixed(2)} ms, ${cpu}, ${requests} requests${stored}${failures}`;
}
