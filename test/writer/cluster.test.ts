import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { HISTORY_TABLE } from '../../src/store/migrate.js';
import { missingAndDuplicated } from '../support/audited-app.js';
import { createTestDatabase } from '../support/database.js';
import { startHostProcess } from '../support/host-process.js';
import { startLoad } from '../support/load.js';
import { useProxiedDatabase } from '../support/proxied-database.js';

const CLUSTER_HOST = fileURLToPath(new URL('../fixtures/cluster-host.ts', import.meta.url));
// By URL: the cluster runs in a directory of its own, where no node_modules would resolve `tsx`.
const TSX = import.meta.resolve('tsx');
const database = useProxiedDatabase();

interface Cluster {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every worker that has listened so far, restarted ones included, in order. */
  readonly workers: number[];
  /** Resolves once `count` workers in all have listened. */
  listening(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** 4 workers of the crash host under node:cluster, in one working directory: one shared spill directory. */
async function startCluster(env: Record<string, string>): Promise<Cluster> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'audit-cluster-'));
  const child = spawn(process.execPath, ['--import', TSX, CLUSTER_HOST], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const workers: number[] = [];
  let port = 0;
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { port: number; pid?: number };
    if (message.pid === undefined) return;
    port = message.port;
    workers.push(message.pid);
    for (const wake of waiters.splice(0)) wake();
  });
  const cluster: Cluster = {
    child,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    workers,
    async listening(count) {
      while (workers.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
  await cluster.listening(4);
  return Object.assign(cluster, { spillDir: path.join(cwd, '.audit-trail', 'spill') });
}

/** A single host on the cluster's spill directory: replays what the workers left, then is stopped. */
async function replayLeftovers(spillDir: string): Promise<void> {
  const host = await startHostProcess({ DATABASE_URL: database.url, SPILL_DIR: spillDir, AUDIT_MODE: 'default' });
  await fetch(`${host.url}/flush`);
  host.child.kill('SIGTERM');
  await once(host.child, 'exit');
}

describe('node:cluster, 4 workers sharing a working directory', { timeout: 120_000 }, () => {
  it('K01 strict: a worker SIGKILLed mid-load and restarted loses no acknowledged request, and none is stored twice', async () => {
    await database.direct.query('TRUNCATE user_actions');
    const cluster = (await startCluster({ DATABASE_URL: database.url, AUDIT_MODE: 'strict', HANDLE_SIGNALS: '1' })) as Cluster & { spillDir: string };
    const load = startLoad(`${cluster.url}/ok`, 16);
    await sleep(2_000);
    process.kill(cluster.workers[1]!, 'SIGKILL');
    await cluster.listening(5); // the primary's replacement
    await sleep(2_000);
    await load.stop();
    await cluster.stop();
    await replayLeftovers(cluster.spillDir);
    console.log(`[cluster test] strict, a worker killed: ${load.acknowledged.length} acknowledged`);
    expect(load.acknowledged.length).toBeGreaterThan(200);
    expect(await missingAndDuplicated(database.direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
  });

  it('K02 strict: an outage makes every worker spill into the one directory; every row is stored exactly once after it', async () => {
    await database.direct.query('TRUNCATE user_actions');
    const cluster = (await startCluster({ DATABASE_URL: database.proxy.url, AUDIT_MODE: 'strict', HANDLE_SIGNALS: '1' })) as Cluster & { spillDir: string };
    const load = startLoad(`${cluster.url}/ok`, 16);
    await sleep(1_000);
    database.proxy.cut();
    await sleep(2_000);
    // Every worker wrote segments of its own.
    const writers = new Set(readdirSync(cluster.spillDir).map((name) => name.split('-')[1]));
    database.proxy.restore();
    await sleep(2_000);
    await load.stop();
    await cluster.stop();
    await replayLeftovers(cluster.spillDir);
    console.log(`[cluster test] outage: ${load.acknowledged.length} acknowledged, ${writers.size} workers spilled`);
    expect(writers.size).toBe(4);
    expect(await missingAndDuplicated(database.direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
    expect(readdirSync(cluster.spillDir)).toEqual([]);
  });

  it('K03 two processes started at the same moment against an empty database both come up, and each migration runs once', async () => {
    const empty = await createTestDatabase();
    try {
      const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
      const hosts = await Promise.all([1, 2].map(() => startHostProcess({ DATABASE_URL: empty.url, SPILL_DIR: spillDir, AUDIT_MODE: 'strict' })));
      const answered = await Promise.all(hosts.map(async (host) => (await fetch(`${host.url}/ok`)).status));
      await Promise.all(
        hosts.map(async (host) => {
          host.child.kill('SIGTERM');
          await once(host.child, 'exit');
        }),
      );
      expect(answered).toEqual([200, 200]);
      const direct = new Sequelize(empty.url, { logging: false });
      try {
        const [history] = await direct.query(`SELECT name, count(*)::int AS n FROM ${HISTORY_TABLE} GROUP BY name`);
        expect(history.length).toBe(MIGRATIONS.length);
        expect((history as Array<{ n: number }>).every(({ n }) => n === 1)).toBe(true);
        const [[rows]] = (await direct.query('SELECT count(*)::int AS n FROM user_actions')) as [[{ n: number }], unknown];
        expect(rows!.n).toBe(2); // strict mode: stored before each answer
      } finally {
        await direct.close();
      }
    } finally {
      await empty.drop();
    }
  });
});
