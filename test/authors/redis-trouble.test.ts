import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { authorsRouter, type ExpressAuthorsRouter } from '../../adapters/express.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';
import type { AuthorsHost } from './host-apps.js';
import { listen } from '../support/listen.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const database = useTestDatabase();

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A "Redis" that accepts connections and never answers: the slow-Redis case. */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function json(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads any field of the JSON it got
  return { status: response.status, body: (await response.json()) as any };
}

/** Lists, creates and lists again: the totals must be right whatever the cache did. */
async function listsStayCorrect(base: string) {
  const name = `n${Math.random()}`;
  const total = async () => json(`${base}?name=${name}`);
  expect(await total()).toMatchObject({ status: 200, body: { meta: { total: 0 } } });
  const created = await json(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  expect(created.status).toBe(201);
  expect(await total()).toMatchObject({ status: 200, body: { meta: { total: 1 } } });
  expect(await total()).toMatchObject({ status: 200, body: { meta: { total: 1 } } });
}

describe('the authors count cache when Redis is in trouble or absent', () => {
  const hosts: AuthorsHost[] = [];
  const routers: ExpressAuthorsRouter[] = [];
  afterAll(async () => {
    for (const host of hosts) await host.close();
    for (const router of routers) await router.close();
  });

  async function mount(router: ExpressAuthorsRouter): Promise<string> {
    routers.push(router);
    await router.ready();
    const app = express();
    app.use('/authors', router);
    const host = await listen(app);
    hosts.push(host);
    return `${host.url}/authors`;
  }

  function results(trail: AuditTrail): string[] {
    const seen: string[] = [];
    trail.telemetry.on('count_cache', ({ result }) => void seen.push(result));
    return seen;
  }

  it('R01 Redis at a closed port: authorsRouter(options) without a trail still answers lists with correct totals', async () => {
    const logger = memoryLogger();
    const router = authorsRouter({ database: database.url, redis: `redis://127.0.0.1:${await closedPort()}`, logger });
    const seen = results(router.trail);
    await listsStayCorrect(await mount(router));
    expect(seen).toContain('error');
    expect(seen).not.toContain('hit');
    expect(logger.text()).toMatch(/count cache \w+ failed, counting in the database/);
  });

  it('R02 a Redis that never answers costs a list the timeout, not a failure', async () => {
    const silent = await silentServer();
    const stuck = new Redis({ port: silent.port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: null });
    const trail = createAuditTrail({ database: database.url, redis: stuck, logger: false });
    const seen = results(trail);
    try {
      await listsStayCorrect(await mount(authorsRouter(trail, { redisTimeoutMs: 50 })));
      expect(seen.filter((result) => result === 'error').length).toBeGreaterThanOrEqual(3);
    } finally {
      stuck.disconnect();
      silent.close();
    }
  });

  it('R04 creates during a Redis outage: once Redis is back, no process serves a count cached before them', async () => {
    const proxy = await startTcpProxy(inject('redisUrl'));
    const cut = createAuditTrail({ database: database.url, redis: proxy.url, logger: false });
    const direct = createAuditTrail({ database: database.url, redis: inject('redisUrl'), logger: false });
    // Two processes' worth of routers on one database and one Redis: only the first loses its link.
    const keyPrefix = `outage-${Math.random()}:`;
    const [writer, other] = [await mount(authorsRouter(cut, { keyPrefix })), await mount(authorsRouter(direct, { keyPrefix }))];
    const total = async (base: string) => (await json(base)).body.meta.total as number;
    const create = (name: string) => json(writer, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    try {
      const before = await total(writer);
      expect(await total(other)).toBe(before);
      expect(await total(other)).toBe(before); // now a hit, cached in Redis for the TTL of 300 s
      proxy.cut();
      // Once the client knows, its commands fail at once instead of waiting to be resent on reconnect.
      while (cut.redis()!.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 10));
      for (let i = 0; i < 5; i++) expect((await create(`outage-${i}`)).status).toBe(201);
      expect(await total(writer)).toBe(before + 5); // counted in the database while Redis is away
      proxy.restore();
      const back = Date.now();
      // Nothing asks the writer's process for a list: its owed invalidation must land by itself.
      while ((await total(other)) !== before + 5 && Date.now() - back < 15_000) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await total(other)).toBe(before + 5);
      expect(Date.now() - back).toBeLessThan(15_000);
      expect(await total(writer)).toBe(before + 5);
    } finally {
      await proxy.close();
      await Promise.all([cut.close(), direct.close()]);
    }
  });

  it('R03 without Redis the per-process cache serves the second list and is invalidated by writes', async () => {
    const trail = createAuditTrail({ database: database.url, logger: false });
    expect(trail.redis()).toBeUndefined();
    const seen = results(trail);
    await listsStayCorrect(await mount(authorsRouter(trail)));
    expect(seen).toEqual(['miss', 'miss', 'hit']);
  });
});
