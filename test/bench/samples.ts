import type { ServerKind } from '../../bench/apps/bench-app.js';
import type { RunSample } from '../../bench/http-rounds.js';

/** One measured run with the figures the summary reads; `delay` only when the run recorded it. */
export function sample(kind: ServerKind, round: number, figures: { rps: number; p99: number; busy: number; delayMax?: number; lost?: number }): RunSample {
  const requests = 1_000;
  return {
    kind,
    round,
    load: { requestsPerSecond: figures.rps, p50Ms: 1, p99Ms: figures.p99, answered: requests, failures: 0 },
    server: {
      requests,
      cpuMicros: 100 * requests,
      busyMicros: figures.busy * requests,
      mainThreadCpuMicros: 0.8 * figures.busy * requests,
      mainThreadWaitMicros: 0,
      wallMicros: 1e6,
      gcMicros: 0,
      delay: figures.delayMax === undefined ? undefined : { p99Ms: 1, maxMs: figures.delayMax },
    },
    rows: kind.endsWith('-audit') ? requests - (figures.lost ?? 0) : undefined,
    peakRssMiB: 100,
    postgresCpuMicros: 0,
    slowQueries: 0,
  };
}
