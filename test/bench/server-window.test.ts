import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../../bench/server-process.js';

// The bench's measuring instrument, on a bare server (no database): what one window reports.
describe('a bench server child', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start('express', { BENCH_DATABASE_URL: '', BENCH_LOG_FILE: '' });
  });
  afterAll(() => server.stop());

  const get = async (count: number) => {
    for (let i = 0; i < count; i++) await (await fetch(`${server.url}/items/42`)).text();
  };

  it('counts the requests of the window and reports busy time as eventLoopUtilization() × wall time', async () => {
    await server.begin(false);
    await get(300);
    const window = await server.end();
    expect(window.requests).toBe(300);
    expect(window.delay).toBeUndefined();
    expect(window.busyMicros).toBeGreaterThan(0);
    expect(window.busyMicros).toBeLessThanOrEqual(window.wallMicros);
    // Busy time is the thread's CPU time plus its waits for a core: never much less than the CPU time alone.
    expect(window.busyMicros).toBeGreaterThan(0.8 * window.mainThreadCpuMicros);
    expect(window.busyMicros).toBeLessThan(1.2 * (window.mainThreadCpuMicros + window.mainThreadWaitMicros) + 5_000);
  });

  it('records the event-loop delay only when the window asks', async () => {
    await server.begin(true);
    await get(50);
    const { delay } = await server.end();
    expect(delay).toBeDefined();
    expect(delay!.maxMs).toBeGreaterThanOrEqual(delay!.p99Ms);
    expect(delay!.p99Ms).toBeGreaterThanOrEqual(0);
  });
});
