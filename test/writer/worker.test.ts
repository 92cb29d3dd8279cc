import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import { missingAndDuplicated, startAuditedApp } from '../support/audited-app.js';
import { useTestDatabase } from '../support/database.js';
import { startLoad } from '../support/load.js';
import { memoryLogger } from '../support/memory-logger.js';

const database = useTestDatabase();
let direct: Sequelize;
beforeAll(() => {
  direct = new Sequelize(database.url, { logging: false });
});
afterAll(() => direct.close());

/** Terminates the thread just after the host has handed it a batch, so that batch is never answered. */
function terminateWithBatchUnanswered(thread: Worker): Promise<unknown> {
  const post = thread.postMessage.bind(thread);
  const exited = new Promise((resolve) => thread.once('exit', resolve));
  thread.postMessage = (message: { type?: string }) => {
    post(message);
    if (message.type === 'write') void thread.terminate();
  };
  return exited;
}

describe('the PostgreSQL writer thread', () => {
  it('W80 terminated three times under load: every answered request is stored exactly once, by a new thread', async () => {
    const threads: Worker[] = [];
    const started = (worker: Worker) => threads.push(worker);
    process.on('worker', started);
    const logger = memoryLogger();
    const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const trail = createAuditTrail({ database: database.url, logger, spillDir, flushIntervalMs: 20 });
    let dropped = 0;
    trail.telemetry.on('dropped', ({ count }) => (dropped += count));
    try {
      await trail.ready();
      const app = await startAuditedApp(trail);
      const load = startLoad(app.url, 8);
      for (let kill = 1; kill <= 3; kill++) {
        await sleep(700);
        expect(threads).toHaveLength(kill);
        await terminateWithBatchUnanswered(threads.at(-1)!);
      }
      await sleep(700);
      await load.stop();
      await trail.flush();
      await app.close();

      expect(load.failed).toBe(0);
      expect(load.acknowledged.length).toBeGreaterThan(100);
      expect(threads).toHaveLength(4);
      expect(dropped).toBe(0);
      expect(await missingAndDuplicated(direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
      expect(logger.text()).toMatch(/the audit writer thread exited \(code 1\) with \d+ batch\(es\) unanswered; they are retried on a new thread/);
    } finally {
      process.off('worker', started);
      await trail.close();
    }
  });

  it('W81 close() lets the thread close its connections and end cleanly', async () => {
    const threads: Worker[] = [];
    const started = (worker: Worker) => threads.push(worker);
    process.on('worker', started);
    const trail = createAuditTrail({ database: database.url, logger: false });
    try {
      await trail.ready();
      await sleep(100);
      expect(threads).toHaveLength(1);
      const exited = new Promise<number>((resolve) => threads[0]!.once('exit', resolve));
      await trail.close();
      expect(await exited).toBe(0);
    } finally {
      process.off('worker', started);
    }
  });

  it('W82 connects as a host-owned Sequelize does: its server, user and database, not a URL', async () => {
    const url = new URL(database.url);
    const host = new Sequelize({
      dialect: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      username: decodeURIComponent(url.username),
      database: url.pathname.slice(1),
      logging: false,
      dialectOptions: { application_name: 'audit-host-app' },
    });
    const trail = createAuditTrail({ database: host, logger: false });
    try {
      await trail.ready();
      const seen = new Promise<string[]>((resolve) =>
        trail.telemetry.once(
          'batch_written',
          () =>
            void direct
              .query(
                // The writer's last statement: its batch's chained INSERT (src/integrity/chained-insert.ts).
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'WITH batch AS (SELECT nextval(''audit_chain_batch_seq'')%'",
              )
              .then(([rows]) => resolve((rows as Array<{ application_name: string }>).map((row) => row.application_name))),
        ),
      );
      const app = await startAuditedApp(trail);
      await fetch(app.url, { headers: { 'x-request-id': 'host-sequelize-row' } });
      await trail.flush();
      await app.close();
      expect(await missingAndDuplicated(direct, ['host-sequelize-row'])).toEqual({ missing: [], duplicated: [] });
      // The writer thread's own connection carries the host's driver options.
      expect(await seen).toEqual(['audit-host-app']);
    } finally {
      await trail.close();
      await host.close();
    }
  });
});
