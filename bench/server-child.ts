// One server under test, alone in its process so that its RSS and CPU are its own.
// The parent drives it over IPC: see ServerProcess in server-process.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { buildApp, SERVER_KINDS, type ServerKind } from './apps/bench-app.js';

export type ToChild = { type: 'flush' } | { type: 'stop' };
export type FromChild =
  | { type: 'listening'; port: number }
  | { type: 'flushed'; requests: number; cpuMicros: number; gcMicros: number }
  | { type: 'stopped' };

const kind = process.argv[2] as ServerKind;
if (!SERVER_KINDS.includes(kind)) throw new Error(`unknown server kind ${String(kind)}; one of ${SERVER_KINDS.join(', ')}`);

const send = (message: FromChild) => process.send?.(message);
const app = await buildApp(kind, { databaseUrl: process.env.BENCH_DATABASE_URL ?? '', logFile: process.env.BENCH_LOG_FILE ?? '' });
await app.ready();

// Every request that reaches the server, answered or aborted, must become exactly one row.
let requests = 0;
// The main thread's garbage-collection pauses: what keeping events until their batch goes costs.
let gcMicros = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcMicros += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });
const server = createServer(app.handler);
server.on('request', () => requests++);
server.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));

process.on('message', (message: ToChild) => {
  if (message.type === 'flush') {
    void app.flush().then(() => {
      const cpu = process.cpuUsage();
      send({ type: 'flushed', requests, cpuMicros: cpu.user + cpu.system, gcMicros });
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
