import { randomUUID } from 'node:crypto';

/** Steady HTTP load: `concurrency` clients in a loop, each request with its own X-Request-ID. */
export interface Load {
  /** Request ids the server answered with a 2xx. */
  readonly acknowledged: string[];
  /** When each of them was answered (performance.now()). */
  readonly acknowledgedAt: number[];
  /** Requests that failed at the HTTP level (the test decides whether that is allowed). */
  readonly failed: number;
  /** Resolves once every client has stopped: stop() was called, or `limit` requests were sent. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface LoadShape {
  /** A JSON body to POST with every request; without it the clients GET. */
  readonly body?: string;
  /** Most requests sent in all, so that a load can never run away. */
  readonly limit?: number;
  /** Most requests started per second, all clients together: a steady rate instead of as fast as possible. */
  readonly perSecond?: number;
}

export function startLoad(url: string, concurrency: number, pauseMs = 0, shape: LoadShape = {}): Load {
  const acknowledged: string[] = [];
  const acknowledgedAt: number[] = [];
  const limit = shape.limit ?? Infinity;
  const init: RequestInit = shape.body === undefined ? {} : { method: 'POST', body: shape.body };
  const startedAt = performance.now();
  let sent = 0;
  let failed = 0;
  let running = true;
  const client = async () => {
    while (running && sent < limit) {
      const due = shape.perSecond === undefined ? 0 : startedAt + (sent / shape.perSecond) * 1_000 - performance.now();
      sent++;
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      if (!running) break;
      const requestId = randomUUID();
      try {
        const response = await fetch(url, { ...init, headers: { 'x-request-id': requestId, 'content-type': 'application/json' } });
        await response.arrayBuffer();
        if (response.ok) {
          acknowledged.push(requestId);
          acknowledgedAt.push(performance.now());
        } else failed++;
      } catch {
        failed++;
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, client)).then(() => {});
  return {
    acknowledged,
    acknowledgedAt,
    get failed() {
      return failed;
    },
    done,
    async stop() {
      running = false;
      await done;
    },
  };
}
