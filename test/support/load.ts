import { randomUUID } from 'node:crypto';

/** Steady HTTP load: `concurrency` clients in a loop, each request with its own X-Request-ID. */
export interface Load {
  /** Request ids the server answered with a 2xx. */
  readonly acknowledged: string[];
  /** When each of them was answered (performance.now()). */
  readonly acknowledgedAt: number[];
  /** Requests that failed at the HTTP level (the test decides whether that is allowed). */
  readonly failed: number;
  stop(): Promise<void>;
}

export function startLoad(url: string, concurrency: number, pauseMs = 0): Load {
  const acknowledged: string[] = [];
  const acknowledgedAt: number[] = [];
  let failed = 0;
  let running = true;
  const client = async () => {
    while (running) {
      const requestId = randomUUID();
      try {
        const response = await fetch(url, { headers: { 'x-request-id': requestId } });
        await response.arrayBuffer();
        if (response.ok) {
          acknowledged.push(requestId);
          acknowledgedAt.push(performance.now());
        }
        else failed++;
      } catch {
        failed++;
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    acknowledged,
    acknowledgedAt,
    get failed() {
      return failed;
    },
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}
