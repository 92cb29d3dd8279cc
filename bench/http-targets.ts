// The HTTP targets, read off the summaries of one run.
import { SERVER_LABELS, type ServerKind } from './apps/bench-app.js';
import type { ServerSummary } from './summary.js';
import { atLeast, atMost, exactly, formats, type Target } from './targets.js';

const AUDITED: ReadonlyArray<{ kind: ServerKind; label: string; bare: ServerKind }> = [
  { kind: 'express-audit', label: 'Express', bare: 'express' },
  { kind: 'koa-audit', label: 'Koa', bare: 'koa' },
];

/** Lookup that fails loudly: a target read off a server that did not run would be a bug in the bench. */
function finder(summaries: readonly ServerSummary[]) {
  return (kind: ServerKind) => {
    const found = summaries.find((s) => s.kind === kind);
    if (!found) throw new Error(`no figures for ${kind}`);
    return found;
  };
}

/** As fast as each server answers, on one workload: req/s ratios, and the host thread's cost per request. */
export function throughputTargets(workload: string, summaries: readonly ServerSummary[]): Target[] {
  const of = finder(summaries);
  const [audited, pino, koa] = [of('express-audit'), of('express-pino'), of('koa-audit')];
  const targets = [
    atLeast(`audited Express ≥ 0.85× bare, ${workload}`, audited.ratio, 0.85, formats.ratio),
    atLeast(`audited Express above pino-http, ${workload}`, audited.ratio, pino.ratio, formats.ratio, `pino-http ${formats.ratio(pino.ratio)}`),
    atLeast(`audited Koa ≥ 0.6× bare, ${workload}`, koa.ratio, 0.6, formats.ratio),
  ];
  if (workload.startsWith('GET only')) {
    for (const { kind, label, bare } of AUDITED) {
      targets.push(
        atMost(
          `host thread's auditing cost ≤ 15 µs/GET, ${label}`,
          of(kind).busyOverBareMicros,
          15,
          formats.micros,
          `busy ${formats.micros(of(kind).busyMicros)} vs bare ${formats.micros(of(bare).busyMicros)}; the thread's own CPU ${formats.micros(of(kind).mainThreadCpuOverBareMicros)} over bare`,
        ),
      );
    }
  }
  return targets;
}

/** Every server held at the same rate: latency and event-loop delay of the audited servers against bare. */
export function fixedRateTargets(rate: number, summaries: readonly ServerSummary[]): Target[] {
  const of = finder(summaries);
  const at = `at ${rate.toLocaleString('en-US')} req/s`;
  return AUDITED.flatMap(({ kind, label, bare }) => {
    const [audited, twin] = [of(kind), of(bare)];
    const [delay, bareDelay] = [audited.delay!, twin.delay!];
    const capture = label === 'Express' ? `, capture only ${formats.ms(of('express-capture').delay!.maxMs)}` : '';
    return [
      atMost(`p99 within 2 ms of bare ${at}, ${label}`, audited.p99OverBareMs, 2, formats.ms, `p99 ${formats.ms(audited.p99Ms)} vs ${formats.ms(twin.p99Ms)}`),
      atMost(`loop delay p99 within 1 ms of bare ${at}, ${label}`, delay.p99OverBareMs, 1, formats.ms, `${formats.ms(delay.p99Ms)} vs ${formats.ms(bareDelay.p99Ms)}`),
      atMost(
        `longest loop turn ≤ 5 ms ${at}, ${label}`,
        delay.maxMs,
        5,
        formats.ms,
        `median of rounds; worst ${formats.ms(delay.worstMaxMs)}; bare ${formats.ms(bareDelay.maxMs)}${capture}`,
      ),
    ];
  });
}

/** Large JSON bodies at a modest rate: the audited server's p99 and its longest event-loop turn. */
export function largeBodyTargets(workload: string, summaries: readonly ServerSummary[]): Target[] {
  const of = finder(summaries);
  const [audited, bare] = [of('express-audit'), of('express')];
  return [
    atMost(`p99 within 10 ms of bare, ${workload}`, audited.p99OverBareMs, 10, formats.ms, `p99 ${formats.ms(audited.p99Ms)} vs ${formats.ms(bare.p99Ms)}`),
    atMost(
      `loop delay max ≤ 50 ms, ${workload}`,
      audited.delay!.maxMs,
      50,
      formats.ms,
      `median of rounds; worst ${formats.ms(audited.delay!.worstMaxMs)}; bare ${formats.ms(bare.delay!.maxMs)}`,
    ),
  ];
}

/** Rows stored against requests served, per audited server over every HTTP run, and client failures. */
export function storedRowTargets(summaries: readonly ServerSummary[]): Target[] {
  const targets: Target[] = [];
  for (const kind of new Set(summaries.map((s) => s.kind))) {
    const own = summaries.filter((s) => s.kind === kind);
    if (own.some((s) => s.rows === undefined)) continue;
    const total = (field: 'rows' | 'requests') => own.reduce((sum, s) => sum + s[field]!, 0);
    targets.push(exactly(`0 rows lost, ${SERVER_LABELS[kind]} (every HTTP run)`, total('rows'), total('requests'), `${total('rows')} rows for ${total('requests')} requests`));
  }
  const failures = summaries.reduce((sum, s) => sum + s.failures, 0);
  targets.push(exactly('no client errors, timeouts or non-2xx answers (every HTTP run)', failures, 0, `${failures} failures`));
  return targets;
}
