import { BASELINE, SERVER_KINDS, SERVER_LABELS, type ServerKind } from './apps/bench-app.js';
import type { RunSample } from './http-rounds.js';
import { median } from './stats.js';
import { check, markdownTable } from './table.js';

export interface ServerSummary {
  readonly kind: ServerKind;
  readonly requestsPerSecond: number;
  /** Median over rounds of this server's req/s divided by its bare twin's in the same round. */
  readonly ratio: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly rows: number | undefined;
  readonly failures: number;
  readonly peakRssMiB: number;
  readonly serverCpuMicros: number;
  readonly gcMicros: number;
  readonly postgresCpuMicros: number;
}

export function summarize(samples: readonly RunSample[]): ServerSummary[] {
  return SERVER_KINDS.map((kind) => {
    const own = samples.filter((sample) => sample.kind === kind);
    const ratios = own.map((sample) => {
      const bare = samples.find((other) => other.kind === BASELINE[kind] && other.round === sample.round);
      return sample.load.requestsPerSecond / (bare?.load.requestsPerSecond ?? Number.NaN);
    });
    const rows = own.map((sample) => sample.rows);
    return {
      kind,
      requestsPerSecond: median(own.map((sample) => sample.load.requestsPerSecond)),
      ratio: median(ratios),
      p50Ms: median(own.map((sample) => sample.load.p50Ms)),
      p99Ms: median(own.map((sample) => sample.load.p99Ms)),
      requests: sum(own.map((sample) => sample.requests)),
      rows: rows.includes(undefined) ? undefined : sum(rows as number[]),
      failures: sum(own.map((sample) => sample.load.failures)),
      peakRssMiB: Math.max(...own.map((sample) => sample.peakRssMiB)),
      serverCpuMicros: median(own.map((sample) => sample.serverCpuMicros)),
      gcMicros: median(own.map((sample) => sample.gcMicros)),
      postgresCpuMicros: median(own.map((sample) => sample.postgresCpuMicros)),
    };
  });
}

export function httpTable(summaries: readonly ServerSummary[]): string {
  return markdownTable(
    ['server', 'req/s', '× bare', 'p50 ms', 'p99 ms', 'requests', 'rows stored', 'peak RSS MiB', 'CPU µs/req', 'GC µs/req', 'PG CPU µs/req'],
    summaries.map((s) => [
      SERVER_LABELS[s.kind],
      String(Math.round(s.requestsPerSecond)),
      `${s.ratio.toFixed(2)}×`,
      s.p50Ms.toFixed(2),
      s.p99Ms.toFixed(2),
      String(s.requests),
      s.rows === undefined ? '–' : String(s.rows),
      s.peakRssMiB.toFixed(0),
      s.serverCpuMicros.toFixed(0),
      s.gcMicros.toFixed(0),
      s.rows === undefined ? '–' : s.postgresCpuMicros.toFixed(0),
    ]),
  );
}

/** The targets, each as a line saying whether this run met it. At a fixed rate, req/s says nothing. */
export function targetLines(summaries: readonly ServerSummary[], fixedRate = false): string[] {
  const of = (kind: ServerKind) => summaries.find((s) => s.kind === kind)!;
  const [bare, pino, audited] = [of('express'), of('express-pino'), of('express-audit')];
  const throughput = [
    check(audited.ratio >= 0.85, `audited Express at ${audited.ratio.toFixed(2)}× bare Express (target ≥ 0.85×)`),
    check(audited.ratio > pino.ratio, `audited Express ${audited.ratio.toFixed(2)}× vs pino-http ${pino.ratio.toFixed(2)}× (target: above pino-http)`),
  ];
  const lines = [
    ...(fixedRate ? ['  · fixed rate: the req/s targets need the servers driven as fast as they answer'] : throughput),
    check(
      audited.p99Ms - bare.p99Ms <= 2,
      `audited Express p99 ${audited.p99Ms.toFixed(2)} ms vs bare ${bare.p99Ms.toFixed(2)} ms (target: within 2 ms)`,
    ),
  ];
  for (const s of summaries.filter((summary) => summary.rows !== undefined)) {
    const lost = s.requests - s.rows!;
    lines.push(check(lost === 0, `${SERVER_LABELS[s.kind]}: ${s.rows} rows for ${s.requests} requests (${lost} lost; target 0)`));
  }
  const failures = sum(summaries.map((s) => s.failures));
  if (failures > 0) lines.push(check(false, `${failures} client errors, timeouts or non-2xx answers: figures are suspect`));
  return lines;
}

/**
 * CPU per request is steadier than req/s when other work shares the cores: what auditing costs, with the
 * PostgreSQL backends that store its rows counted in, and split into the request path and the writer.
 */
export function costLines(summaries: readonly ServerSummary[]): string[] {
  const cost = (kind: ServerKind) => {
    const s = summaries.find((summary) => summary.kind === kind)!;
    return s.serverCpuMicros + s.postgresCpuMicros;
  };
  const bare = cost('express');
  const share = (kind: ServerKind) => `${cost(kind).toFixed(0)} µs (${((cost(kind) / bare - 1) * 100).toFixed(0)}% over bare)`;
  const auditing = cost('express-audit') - bare;
  const requestPath = cost('express-capture') - bare;
  return [
    `  · CPU per request: bare Express ${bare.toFixed(0)} µs, pino-http ${share('express-pino')}, auditTrail ${share('express-audit')} incl. PostgreSQL`,
    `  · of auditing's ${auditing.toFixed(0)} µs: request path ${requestPath.toFixed(0)} µs (capture only), writer and PostgreSQL ${(auditing - requestPath).toFixed(0)} µs`,
  ];
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
