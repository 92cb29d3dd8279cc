import { isAudited, type ServerKind } from './apps/bench-app.js';
import { cpuSpent, type BenchDatabase } from './bench-database.js';
import { load, type LoadResult, type LoadShape } from './load.js';
import type { ServerWindow } from './server-child.js';
import type { ServerProcess } from './server-process.js';

export interface RunSample {
  readonly kind: ServerKind;
  readonly round: number;
  readonly load: LoadResult;
  /** What the server process and its thread did, from before the load until its rows were stored. */
  readonly server: ServerWindow;
  /** user_actions rows after the writer flushed; undefined for servers that do not audit. */
  readonly rows: number | undefined;
  readonly peakRssMiB: number;
  /** CPU time of the PostgreSQL backends storing the server's rows (0 for servers that do not audit). */
  readonly postgresCpuMicros: number;
  /** Statements slower than the trail's slowQueryMs, as it logged them. */
  readonly slowQueries: number;
}

export interface Scenario extends LoadShape {
  readonly rounds: number;
  /** Unmeasured load per server before round 1, so the JIT has settled on this workload. */
  readonly warmupSeconds: number;
  /** Whether the servers record their event-loop delay (a 1 ms timer, kept out of the other runs). */
  readonly eventLoopDelay: boolean;
}

/**
 * Every server runs once per round, in an order rotated each round, so neighbouring runs of a
 * server and its bare twin see the same background load (A B A B rather than A A A B B B).
 */
export async function runRounds(servers: readonly ServerProcess[], database: BenchDatabase, scenario: Scenario): Promise<RunSample[]> {
  for (const server of servers) await load(server.url, { ...scenario, durationSeconds: scenario.warmupSeconds });
  const samples: RunSample[] = [];
  for (let round = 1; round <= scenario.rounds; round++) {
    for (const server of rotate(servers, round - 1)) {
      const sample = await measure(server, round, database, scenario);
      samples.push(sample);
      console.log(progressLine(sample, scenario.rounds));
    }
  }
  return samples;
}

async function measure(server: ServerProcess, round: number, database: BenchDatabase, scenario: Scenario): Promise<RunSample> {
  const audited = isAudited(server.kind);
  await server.begin(scenario.eventLoopDelay);
  // After begin(), which waits for the warm-up's or the last run's rows, so each run inserts into an empty table.
  if (audited) await database.truncate();
  const postgresBefore = await database.backendCpu();
  const slowQueriesBefore = server.slowQueries;
  const result = await load(server.url, scenario);
  const window = await server.end();
  return {
    kind: server.kind,
    round,
    load: result,
    server: window,
    rows: audited ? await database.rows() : undefined,
    peakRssMiB: server.memory().peakMiB,
    postgresCpuMicros: audited ? cpuSpent(postgresBefore, await database.backendCpu()) : 0,
    slowQueries: server.slowQueries - slowQueriesBefore,
  };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

function progressLine(sample: RunSample, rounds: number): string {
  const { kind, round, load, server, rows } = sample;
  const perRequest = (micros: number) => Math.round(micros / server.requests);
  const stored = rows === undefined ? '' : `, ${rows} rows${sample.slowQueries > 0 ? ` (${sample.slowQueries} slow INSERTs logged)` : ''}`;
  const delay = server.delay === undefined ? '' : `, loop delay p99 ${server.delay.p99Ms.toFixed(2)} max ${server.delay.maxMs.toFixed(1)} ms`;
  const failures = load.failures > 0 ? `, ${load.failures} FAILED` : '';
  return (
    `  round ${round}/${rounds} ${kind.padEnd(15)} ${Math.round(load.requestsPerSecond)} req/s, p99 ${load.p99Ms.toFixed(2)} ms, ` +
    `busy ${perRequest(server.busyMicros)} / CPU ${perRequest(server.cpuMicros)} µs/req${delay}, ${server.requests} requests${stored}${failures}`
  );
}
