// `npm run bench:ws`'s server: the reference's request/reply shape, bare or audited, alone in its process.
// The parent (bench/ws.ts) reads its port from the first IPC message and asks it to `flush` between rounds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { auditTrail, auditWebSocket } from '../../adapters/express.js';

const audited = process.argv[2] === 'audited';
const server = createServer();
const wss = new WebSocketServer({ server });
const audit = audited ? auditTrail({ database: process.env.BENCH_DATABASE_URL, logger: false, handleSignals: false, spillDir: process.env.BENCH_SPILL_DIR }) : undefined;
if (audit) {
  await audit.ready();
  auditWebSocket(wss, audit, { actions: { 1: 'GET_AUTHORS' } });
}

let messages = 0;
wss.on('connection', (socket: WebSocket) => {
  socket.on('message', (raw) => {
    messages++;
    const { pkg_id: pkgId, req_id: reqId, data } = JSON.parse(raw.toString()) as { pkg_id: number; req_id: string; data: unknown };
    socket.send(JSON.stringify({ pkg_id: pkgId, req_id: reqId, status_code: 0, meta: {}, data }));
  });
});

server.listen(0, '127.0.0.1', () => process.send!({ type: 'listening', port: (server.address() as AddressInfo).port }));
// A measured window: the host thread's busy time (event-loop utilization × wall time) and the messages it handled.
let window: { utilization: EventLoopUtilization; messages: number } | undefined;
process.on('message', (message: { type: string }) => {
  if (message.type === 'begin') {
    window = { utilization: performance.eventLoopUtilization(), messages };
    process.send!({ type: 'begun' });
  }
  if (message.type === 'end') {
    const { active } = performance.eventLoopUtilization(window!.utilization);
    process.send!({ type: 'ended', busyMicros: active * 1000, messages: messages - window!.messages });
  }
  if (message.type === 'flush') void (audit?.flush() ?? Promise.resolve()).then(() => process.send!({ type: 'flushed' }));
  if (message.type === 'stop') void (audit?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
