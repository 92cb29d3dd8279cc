import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sequelize } from 'sequelize';
import { WebSocket } from 'ws';
import type { UserActionRow } from '../../src/store/models.js';

/** A `ws` client whose connection id (the upgrade's X-Request-ID) finds its rows. */
export interface TestClient {
  readonly socket: WebSocket;
  readonly connectionId: string;
  /** Sends a JSON message. */
  send(message: unknown): void;
  /** The next message the server sends, parsed. */
  next(): Promise<Record<string, unknown>>;
  /** Closes with `code` and waits until the socket is closed. */
  close(code?: number): Promise<void>;
}

export async function connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const connectionId = randomUUID();
  const socket = new WebSocket(url, { headers: { 'x-request-id': connectionId, ...headers } });
  const inbox: Array<Record<string, unknown>> = [];
  const waiting: Array<(message: Record<string, unknown>) => void> = [];
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  await once(socket, 'open');
  return {
    socket,
    connectionId,
    send: (message) => socket.send(JSON.stringify(message)),
    next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    async close(code = 1000) {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, 'close');
      socket.close(code);
      await closed;
    },
  };
}

/** The status an upgrade was refused with. */
export async function refusedWith(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, { headers });
  const [request, response] = (await once(socket, 'unexpected-response')) as [import('node:http').ClientRequest, import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  request.destroy();
  return { status: response.statusCode!, body };
}

/** The WebSocket rows of one connection, oldest first. */
export async function connectionRows(sequelize: Sequelize, connectionId: string): Promise<UserActionRow[]> {
  const [rows] = await sequelize.query(`SELECT * FROM user_actions WHERE action_type LIKE 'WS:%' AND request_data->>'connection_id' = :connectionId ORDER BY timestamp, id`, {
    replacements: { connectionId },
  });
  return rows as UserActionRow[];
}

/** Flushes and reads until `count` rows are there (rows complete on replies, timeouts and closes), or fails. */
export async function awaitRows(trail: { flush(): Promise<void> }, read: () => Promise<UserActionRow[]>, count: number, timeoutMs = 10_000): Promise<UserActionRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await trail.flush();
    const rows = await read();
    if (rows.length >= count || Date.now() > deadline) {
      if (rows.length !== count) throw new Error(`expected ${count} rows, found ${rows.length}: ${rows.map((row) => row.action_type).join(', ')}`);
      return rows;
    }
    await sleep(20);
  }
}
