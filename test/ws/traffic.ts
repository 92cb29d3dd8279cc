import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type TestClient } from '../support/ws-client.js';

/** Reference-shaped requests from `connections` clients, each answered before the next is sent. */
export interface Traffic {
  /** Every req_id sent. */
  readonly sent: string[];
  /** Connection ids of the clients. */
  readonly connectionIds: string[];
  /** Stops sending, waits for the last replies and closes every client normally. */
  stop(): Promise<void>;
  /** Resolves once each client has sent `perConnection` messages, or stop() was called. */
  readonly done: Promise<void>;
}

export async function startTraffic(url: string, connections: number, perConnection = Infinity, pauseMs = 0): Promise<Traffic> {
  const clients: TestClient[] = await Promise.all(Array.from({ length: connections }, () => connect(url)));
  const sent: string[] = [];
  let stopped = false;
  const loop = async (client: TestClient) => {
    for (let i = 0; i < perConnection && !stopped; i++) {
      const reqId = randomUUID();
      sent.push(reqId);
      client.send({ pkg_id: 1, req_id: reqId, data: { i, token: 'never stored' } });
      await client.next();
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };
  const done = Promise.all(clients.map(loop)).then(() => undefined);
  return {
    sent,
    connectionIds: clients.map((client) => client.connectionId),
    done,
    async stop() {
      stopped = true;
      await done;
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}
