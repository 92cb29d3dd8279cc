import autocannon from 'autocannon';
import { percentile } from './stats.js';
import type { Workload } from './workload.js';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses the client received. */
  readonly answered: number;
  /** Connection errors, timeouts and non-2xx answers: any of them makes the run suspect. */
  readonly failures: number;
}

export interface LoadShape {
  readonly workload: Workload;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Requests per second over all connections; undefined drives each server as fast as it answers. */
  readonly rate?: number;
}

/** Drives one server over loopback from this process, which does nothing else meanwhile. */
export async function load(url: string, shape: LoadShape): Promise<LoadResult> {
  // autocannon's own histogram keeps whole milliseconds; a 2 ms target needs finer.
  const latencies: number[] = [];
  const run = autocannon({
    url,
    connections: shape.connections,
    duration: shape.durationSeconds,
    pipelining: 1,
    requests: [...shape.workload.requests],
    ...(shape.rate === undefined ? {} : { overallRate: shape.rate }),
  });
  run.on('response', (_client, _status, _bytes, responseTimeMs) => void latencies.push(responseTimeMs));
  const result = await run;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    answered: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
