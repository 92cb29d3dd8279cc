import { SERVER_KINDS, SERVER_LABELS } from './apps/bench-app.js';
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
  const [bare, minimal, pino, capture, audited] = [of('express'), of('express-minimal'), of('express-pino'), of('express-capture'), of('express-audit')];
  if (!bare || !minimal || !pino || !capture || !audited) return [];
  const overBare = (s: ServerSummary) => `${signed(whole)(s.busyOverBareMicros)} (${signed(whole)(s.mainThreadCpuOverBareMicros)})`;
  return [
    `  · host thread, busy (its own CPU) µs/req over bare Express: minimal middleware ${overBare(minimal)}, pino-http ${overBare(pino)}, ` +
      `capture only ${overBare(capture)}, auditTrail ${overBare(audited)}`,
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

/** The HTTP parts of one run, each as its summaries; a part the run skipped is undefined. */
export interface HttpParts {
  get?: readonly ServerSummary[];
  mix?: readonly ServerSummary[];
  fixed?: readonly ServerSummary[];
  bodies?: readonly ServerSummary[];
}

/** One row per server with the figures the targets read, from every HTTP part: the README's table. */
export function overviewTable(parts: HttpParts, rate: number): string {
  const ran = [parts.get, parts.mix, parts.fixed, parts.bodies].flatMap((summaries) => summaries ?? []);
  const kinds = SERVER_KINDS.filter((kind) => ran.some((s) => s.kind === kind));
  const find = (summaries: readonly ServerSummary[] | undefined, kind: ServerSummary['kind']) => summaries?.find((s) => s.kind === kind);
  const cell = (s: ServerSummary | undefined, format: (s: ServerSummary) => string) => (s === undefined ? '–' : format(s));
  return markdownTable(
    ['server', 'GET × bare', 'mix × bare', 'busy µs/GET', '− bare', `p99 ms at ${rate}/s`, '− bare', 'loop delay p99 / max ms', '60 KB: p99 ms', 'loop max ms', 'rows lost'],
    kinds.map((kind) => {
      const [get, mix, fixed, bodies] = [find(parts.get, kind), find(parts.mix, kind), find(parts.fixed, kind), find(parts.bodies, kind)];
      const all = [get, mix, fixed, bodies].filter((s) => s !== undefined);
      const lost = all.some((s) => s.rows === undefined) ? '–' : String(all.reduce((sum, s) => sum + s.requests - s.rows!, 0));
      return [
        SERVER_LABELS[kind],
        cell(get, (s) => `${hundredths(s.ratio)}×`),
        cell(mix, (s) => `${hundredths(s.ratio)}×`),
        cell(get, (s) => whole(s.busyMicros)),
        cell(get, (s) => signed(tenths)(s.busyOverBareMicros)),
        cell(fixed, (s) => hundredths(s.p99Ms)),
        cell(fixed, (s) => signed(hundredths)(s.p99OverBareMs)),
        cell(fixed, (s) => `${hundredths(s.delay!.p99Ms)} / ${tenths(s.delay!.maxMs)}`),
        cell(bodies, (s) => tenths(s.p99Ms)),
        cell(bodies, (s) => tenths(s.delay!.maxMs)),
        lost,
      ];
    }),
  );
}
