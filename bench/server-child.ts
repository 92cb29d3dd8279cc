// One server under test, alone in its process so that its RSS and CPU are its own.
// The parent drives it over IPC: see ServerProcess in server-process.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';
import { buildApp, SERVER_KINDS, type ServerKind } from './apps/bench-app.js';
import { threadSchedule } from './proc.js';

/** What the server's own thread did over one measured window, from `begin` to `end`, both after a flush. */
export interface ServerWindow {
  /** Requests that reached the server: answered or aborted, each must become exactly one row. */
  readonly requests: number;
  /** CPU time of the whole process (every thread: the writer's worker, GC helpers, libuv's pool). */
  readonly cpuMicros: number;
  /** Time the host's thread was busy: eventLoopUtilization() × wall time, i.e. its `active` time. */
  readonly busyMicros: number;
  /**
   * The host's thread's own CPU time, and its time runnable but waiting for a core (/proc schedstat): busy time
   * is about their sum, and matches the CPU time alone while no other job takes the thread's core.
   */
  readonly mainThreadCpuMicros: number;
  readonly mainThreadWaitMicros: number;
  readonly wallMicros: number;
  /** Garbage-collection pauses of the main thread. */
  readonly gcMicros: number;
  /** Event-loop delay, when the window asked for it: how late a 1 ms timer fired, p99 and longest. */
  readonly delay: { p99Ms: number; maxMs: number } | undefined;
}

export type ToChild = { type: 'begin'; eventLoopDelay: boolean } | { type: 'end' } | { type: 'stop' };
export type FromChild = { type: 'listening'; port: number } | { type: 'begun' } | ({ type: 'ended' } & ServerWindow) | { type: 'stopped' };

/** monitorEventLoopDelay records the time between its timer's turns, so a loop that never waits records this. */
const DELAY_RESOLUTION_MS = 1;

const kind = process.argv[2] as ServerKind;
if (!SERVER_KINDS.includes(kind)) throw new Error(`unknown server kind ${String(kind)}; one of ${SERVER_KINDS.join(', ')}`);

const send = (message: FromChild) => process.send?.(message);
const app = await buildApp(kind, { databaseUrl: process.env.BENCH_DATABASE_URL ?? '', logFile: process.env.BENCH_LOG_FILE ?? '' });
await app.ready();

let requests = 0;
let gcMicros = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcMicros += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });
const server = createServer(app.handler);
server.on('request', () => requests++);
server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));

// Enabled only in windows that report it: its timer would otherwise add its own turns to the busy time.
const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });

interface Mark {
  readonly requests: number;
  readonly cpuMicros: number;
  readonly mainThread: { cpuMicros: number; waitMicros: number };
  readonly gcMicros: number;
  readonly utilization: EventLoopUtilization;
  readonly at: number;
}

function mark(): Mark {
  const cpu = process.cpuUsage();
  return {
    requests,
    cpuMicros: cpu.user + cpu.system,
    mainThread: threadSchedule(process.pid, process.pid),
    gcMicros,
    utilization: performance.eventLoopUtilization(),
    at: performance.now(),
  };
}

function windowSince(start: Mark, delayed: boolean): ServerWindow {
  const end = mark();
  const { active } = performance.eventLoopUtilization(end.utilization, start.utilization);
  const lateMs = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - DELAY_RESOLUTION_MS);
  return {
    requests: end.requests - start.requests,
    cpuMicros: end.cpuMicros - start.cpuMicros,
    busyMicros: active * 1000,
    mainThreadCpuMicros: end.mainThread.cpuMicros - start.mainThread.cpuMicros,
    mainThreadWaitMicros: end.mainThread.waitMicros - start.mainThread.waitMicros,
    wallMicros: (end.at - start.at) * 1000,
    gcMicros: end.gcMicros - start.gcMicros,
    delay: delayed ? { p99Ms: lateMs(delay.percentile(99)), maxMs: lateMs(delay.max) } : undefined,
  };
}

let start: Mark | undefined;
let delayed = false;

process.on('message', (message: ToChild) => {
  if (message.type === 'begin') {
    // Each window starts with nothing queued and ends once all it produced is stored, writer work included.
    void app.flush().then(() => {
      delayed = message.eventLoopDelay;
      delay.reset();
      if (delayed) delay.enable();
      start = mark();
      send({ type: 'begun' });
    });
  } else if (message.type === 'end') {
    void app.flush().then(() => {
      const window = windowSince(start!, delayed);
      delay.disable();
      send({ type: 'ended', ...window });
    });
  } else {
    server.closeAllConnections();
    server.close();
    void app.close().then(() => {
      send({ type: 'stopped' });
      process.exit(0);
    });
  }
});
// A parent that dies must not leave servers behind.
process.on('disconnect', () => process.exit(0));
