import { BASELINE, type ServerKind } from './apps/bench-app.js';
import type { RunSample } from './http-rounds.js';
import { median } from './stats.js';

/** One server over every round of a scenario: medians, and medians of per-round comparisons with its bare twin. */
export interface ServerSummary {
  readonly kind: ServerKind;
  readonly requestsPerSecond: number;
  /** Median over rounds of this server's req/s divided by its bare twin's in the same round. */
  readonly ratio: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median over rounds of this server's p99 minus its bare twin's in the same round. */
  readonly p99OverBareMs: number;
  readonly requests: number;
  readonly rows: number | undefined;
  readonly failures: number;
  readonly peakRssMiB: number;
  /** Per request: the server process's CPU (all its threads), its main thread's busy time and GC pauses. */
  readonly cpuMicros: number;
  readonly busyMicros: number;
  /** Per request, the host thread's own CPU time and its wait for a core: see ServerWindow. */
  readonly mainThreadCpuMicros: number;
  readonly mainThreadWaitMicros: number;
  /** Median over rounds of this server's main-thread CPU per request minus its bare twin's: busy time's excess over bare, less the waits. */
  readonly mainThreadCpuOverBareMicros: number;
  /** Median over rounds of this server's busy time per request minus its bare twin's in the same round. */
  readonly busyOverBareMicros: number;
  readonly gcMicros: number;
  /** Per request, the PostgreSQL backends storing its rows. */
  readonly postgresCpuMicros: number;
  readonly delay: DelaySummary | undefined;
}

export interface DelaySummary {
  readonly p99Ms: number;
  /** Median over rounds of this server's delay p99 minus its bare twin's in the same round. */
  readonly p99OverBareMs: number;
  /** Median over rounds of each round's longest delay; `worstMaxMs` is the longest of all rounds. */
  readonly maxMs: number;
  readonly worstMaxMs: number;
}

export function summarize(samples: readonly RunSample[]): ServerSummary[] {
  const kinds = [...new Set(samples.map((sample) => sample.kind))];
  return kinds.map((kind) => {
    const own = samples.filter((sample) => sample.kind === kind);
    const twin = (sample: RunSample) => samples.find((other) => other.kind === BASELINE[kind] && other.round === sample.round);
    /** Median over rounds of `compare(this server's value, its bare twin's)`; NaN when the twin did not run. */
    const againstBare = (value: (sample: RunSample) => number, compare: (own: number, bare: number) => number) =>
      median(own.map((sample) => (twin(sample) ? compare(value(sample), value(twin(sample)!)) : Number.NaN)));
    const perRequest = (micros: (sample: RunSample) => number) => (sample: RunSample) => micros(sample) / sample.server.requests;
    const busy = perRequest((sample) => sample.server.busyMicros);
    const mainThreadCpu = perRequest((sample) => sample.server.mainThreadCpuMicros);
    const rows = own.map((sample) => sample.rows);
    const delays = own.map((sample) => sample.server.delay);
    return {
      kind,
      requestsPerSecond: median(own.map((sample) => sample.load.requestsPerSecond)),
      ratio: againstBare(
        (sample) => sample.load.requestsPerSecond,
        (mine, bare) => mine / bare,
      ),
      p50Ms: median(own.map((sample) => sample.load.p50Ms)),
      p99Ms: median(own.map((sample) => sample.load.p99Ms)),
      p99OverBareMs: againstBare((sample) => sample.load.p99Ms, difference),
      requests: sum(own.map((sample) => sample.server.requests)),
      rows: rows.includes(undefined) ? undefined : sum(rows as number[]),
      failures: sum(own.map((sample) => sample.load.failures)),
      peakRssMiB: Math.max(...own.map((sample) => sample.peakRssMiB)),
      cpuMicros: median(own.map(perRequest((sample) => sample.server.cpuMicros))),
      busyMicros: median(own.map(busy)),
      mainThreadCpuMicros: median(own.map(mainThreadCpu)),
      mainThreadWaitMicros: median(own.map(perRequest((sample) => sample.server.mainThreadWaitMicros))),
      mainThreadCpuOverBareMicros: againstBare(mainThreadCpu, difference),
      busyOverBareMicros: againstBare(busy, difference),
      gcMicros: median(own.map(perRequest((sample) => sample.server.gcMicros))),
      postgresCpuMicros: median(own.map(perRequest((sample) => sample.postgresCpuMicros))),
      delay: delays.includes(undefined)
        ? undefined
        : {
            p99Ms: median(delays.map((delay) => delay!.p99Ms)),
            p99OverBareMs: againstBare((sample) => sample.server.delay!.p99Ms, difference),
            maxMs: median(delays.map((delay) => delay!.maxMs)),
            worstMaxMs: Math.max(...delays.map((delay) => delay!.maxMs)),
          },
    };
  });
}

const difference = (mine: number, bare: number) => mine - bare;

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
