import { SERVER_LABELS } from './apps/bench-app.js';
import type { ServerSummary } from './summary.js';
import { markdownTable } from './table.js';

const fixed = (digits: number) => (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const [whole, tenths, hundredths] = [fixed(0), fixed(1), fixed(2)];
const signed = (format: (value: number) => string) => (value: number) => (value >= 0 ? `+${format(value)}` : format(value));
const rowsStored = (s: ServerSummary) => (s.rows === undefined ? '–' : String(s.rows));

/** Servers driven as fast as they answer: req/s and its ratio to bare, and what each request cost. */
export function throughputTable(summaries: readonly ServerSummary[]): string {
  return markdownTable(
    ['server', 'req/s', '× bare', 'p50 ms', 'p99 ms', 'requests', 'rows stored', 'peak RSS MiB', 'CPU µs/req', 'busy µs/req', 'GC µs/req', 'PG CPU µs/req'],
    summaries.map((s) => [
      SERVER_LABELS[s.kind],
      whole(s.requestsPerSecond),
      `${hundredths(s.ratio)}×`,
      hundredths(s.p50Ms),
      hundredths(s.p99Ms),
      String(s.requests),
      rowsStored(s),
      whole(s.peakRssMiB),
      whole(s.cpuMicros),
      whole(s.busyMicros),
      whole(s.gcMicros),
      s.rows === undefined ? '–' : whole(s.postgresCpuMicros),
    ]),
  );
}

/** Servers held at a fixed rate: latency and event-loop delay against the bare twin, and what each request cost. */
export function latencyTable(summaries: readonly ServerSummary[]): string {
  return markdownTable(
    ['server', 'req/s', 'p50 ms', 'p99 ms', 'p99 − bare', 'loop delay p99 ms', '− bare', 'loop delay max ms', 'worst', 'requests', 'rows stored', 'CPU µs/req', 'busy µs/req'],
    summaries.map((s) => [
      SERVER_LABELS[s.kind],
      whole(s.requestsPerSecond),
      hundredths(s.p50Ms),
      hundredths(s.p99Ms),
      signed(hundredths)(s.p99OverBareMs),
      hundredths(s.delay?.p99Ms ?? Number.NaN),
      signed(hundredths)(s.delay?.p99OverBareMs ?? Number.NaN),
      tenths(s.delay?.maxMs ?? Number.NaN),
      tenths(s.delay?.worstMaxMs ?? Number.NaN),
      String(s.requests),
      rowsStored(s),
      whole(s.cpuMicros),
      whole(s.busyMicros),
    ]),
  );
}

/**
 * Where auditing's cost per request goes, against bare Express: the host's thread (busy time) and the whole
 * process (CPU, the writer's worker included), the request path alone (capture only), and PostgreSQL.
 */
export function costLines(summaries: readonly ServerSummary[]): string[] {
  const of = (kind: ServerSummary['kind']) => summaries.find((s) => s.kind === kind);
  const [bare, pino, capture, audited] = [of('express'), of('express-pino'), of('express-capture'), of('express-audit')];
  if (!bare || !pino || !capture || !audited) return [];
  return [
    `  · host thread, busy µs/req over bare Express: pino-http ${signed(whole)(pino.busyOverBareMicros)}, ` +
      `capture only ${signed(whole)(capture.busyOverBareMicros)}, auditTrail ${signed(whole)(audited.busyOverBareMicros)}`,
    `  · whole process, CPU µs/req: bare ${whole(bare.cpuMicros)}, pino-http ${whole(pino.cpuMicros)}, capture only ${whole(capture.cpuMicros)}, ` +
      `auditTrail ${whole(audited.cpuMicros)} + PostgreSQL ${whole(audited.postgresCpuMicros)}`,
  ];
}

/**
 * busy µs/req comes from eventLoopUtilization(), which counts a turn's wall time: the thread's own CPU time
 * plus its waits for a core while other jobs hold both. Printed under every table, so a noisy run shows.
 */
export function busyCheckLine(summaries: readonly ServerSummary[]): string {
  const servers = summaries.map((s) => `${s.kind} ${whole(s.busyMicros)} ≈ ${whole(s.mainThreadCpuMicros)} + ${whole(s.mainThreadWaitMicros)}`);
  return `  · busy ≈ host thread's CPU + its wait for a core (/proc schedstat; no wait on a quiet machine), µs/req: ${servers.join(', ')}`;
}
