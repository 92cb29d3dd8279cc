import { randomUUID } from 'node:crypto';

/** Steady HTTP load: `concurrency` clients in a loop, each request with its own X-Request-ID. */
export interface Load {
  /** Request ids the server answered with a 2xx. */
  readonly acknowledged: string[];
  /** Requests that failed at the HTTP level (the test decides whether that is allowed). */
  readonly failed: number;
  stop(): Promise<void>;
}

export function startLoad(url: string, concurrency: number, pauseMs = 0): Load {
  const acknowledged: string[] = [];
  let failed = 0;
  let running = true;
  const client = async () => {
    while (running) {
      const requestId = randomUUID();
      try {
        const response = await fetch(url, { headers: { 'x-request-id': requestId } });
        await response.arrayBuffer();
        if (response.ok) acknowledged.push(requestId);
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
    get failed() {
      return failed;
    },
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}
