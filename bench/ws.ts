// `npm run bench:ws`: messages/s of a bare `ws` server answering the reference's request shape, and of the same
// server audited by auditWebSocket, in alternating rounds. Target: audited ≥ 0.8× bare.
// Each server runs alone in its process; the clients run here, each keeping WINDOW requests in flight.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { createScratchDatabase } from './scratch-database.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '4' }, duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '20' } },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const WINDOW = 8;
const TARGET = 0.8;
const SERVER = fileURLToPath(new URL('./apps/ws-echo.ts', import.meta.url));
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Kind = 'bare' | 'audited';

type Answer = { type: string; busyMicros?: number; messages?: number };

async function startServer(kind: Kind, env: Record<string, string>): Promise<{ child: ChildProcess; port: number; ask(type: string, answer: string): Promise<Answer> }> {
  const child = fork(SERVER, [kind], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env } });
  const [listening] = (await once(child, 'message')) as [{ port: number }];
  const ask = async (type: string, answer: string) => {
    const replied = new Promise<Answer>((resolve) =>
      child.on('message', function heard(message: Answer) {
        if (message.type !== answer) return;
        child.off('message', heard);
        resolve(message);
      }),
    );
    child.send({ type });
    return replied;
  };
  return { child, port: listening.port, ask };
}

/** Replies received in `seconds` from CONNECTIONS clients, each with WINDOW reference-shaped requests in flight. */
async function measure(
  port: number,
  seconds: number,
  during: { begin(): Promise<unknown>; end(): Promise<unknown> } = { begin: async () => {}, end: async () => {} },
): Promise<number> {
  const sockets = await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      await once(socket, 'open');
      // Requests are written once: the clients' own cost stays out of the figure as far as it can.
      const requests = Array.from({ length: WINDOW }, (_, slot) => JSON.stringify({ pkg_id: 1, req_id: `c${c}-s${slot}`, data: { page: slot, q: 'bench' } }));
      return { socket, requests };
    }),
  );
  let replies = 0;
  let running = true;
  for (const { socket, requests } of sockets) {
    let next = 0;
    // Replies come back in order, so the slot that answered is the next one to send again.
    socket.on('message', () => {
      replies++;
      if (running) socket.send(requests[next++ % WINDOW]!);
    });
    for (const request of requests) socket.send(request);
  }
  await during.begin();
  const started = performance.now();
  const before = replies;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const counted = replies - before;
  const elapsed = (performance.now() - started) / 1000;
  await during.end();
  running = false;
  await Promise.all(sockets.map(({ socket }) => new Promise((resolve) => (socket.once('close', resolve), socket.close()))));
  return counted / elapsed;
}

const database = await createScratchDatabase(postgresUrl, 'ws');
const servers = {
  bare: await startServer('bare', {}),
  audited: await startServer('audited', { BENCH_DATABASE_URL: database.url, BENCH_SPILL_DIR: mkdtempSync(path.join(tmpdir(), 'bench-ws-')) }),
};
try {
  console.log(`bench:ws: ${CONNECTIONS} connections × ${WINDOW} requests in flight, ${ROUNDS} rounds of ${SECONDS} s per server, alternating`);
  for (const kind of ['bare', 'audited'] as const) await measure(servers[kind].port, 1); // warm-up
  const rates: Record<Kind, number[]> = { bare: [], audited: [] };
  const busy: Record<Kind, number[]> = { bare: [], audited: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of round % 2 === 1 ? (['bare', 'audited'] as const) : (['audited', 'bare'] as const)) {
      await servers.audited.ask('flush', 'flushed'); // the audited server's backlog never spills into a round
      let window: Answer = { type: '' };
      const server = servers[kind];
      const rate = await measure(server.port, SECONDS, { begin: () => server.ask('begin', 'begun'), end: async () => (window = await server.ask('end', 'ended')) });
      const busyPerMessage = window.busyMicros! / window.messages!;
      rates[kind].push(rate);
      busy[kind].push(busyPerMessage);
      console.log(
        `round ${round}  ${kind.padEnd(7)} ${Math.round(rate).toLocaleString('en-US').padStart(8)} messages/s   host thread busy ${busyPerMessage.toFixed(1).padStart(5)} µs/message`,
      );
    }
  }
  const bare = median(rates.bare);
  const audited = median(rates.audited);
  const ratio = audited / bare;
  console.log(`\nmedian   bare    ${Math.round(bare).toLocaleString('en-US').padStart(8)} messages/s   busy ${median(busy.bare).toFixed(1).padStart(5)} µs/message`);
  console.log(`median   audited ${Math.round(audited).toLocaleString('en-US').padStart(8)} messages/s   busy ${median(busy.audited).toFixed(1).padStart(5)} µs/message`);
  console.log(`audited / bare = ${ratio.toFixed(2)} (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'missed'})`);
} finally {
  const exited = once(servers.audited.child, 'exit');
  servers.audited.child.send({ type: 'stop' });
  await exited;
  servers.bare.child.kill();
  await database.drop();
}
