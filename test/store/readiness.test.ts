import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { auditTrail, authorsRouter } from '../../adapters/express.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { missingAndDuplicated } from '../support/audited-app.js';
import { withDatabase } from '../support/database.js';
import { startHostProcess } from '../support/host-process.js';
import { listen } from '../support/listen.js';
import { startLoad } from '../support/load.js';
import { memoryLogger } from '../support/memory-logger.js';
import { useProxiedDatabase } from '../support/proxied-database.js';

const database = useProxiedDatabase({ migrated: false });

const spillDir = () => mkdtempSync(path.join(tmpdir(), 'audit-spill-'));

/** Resolves once ready() does, asking again as the trail heals in the background. */
async function readyWithin(trail: AuditTrail, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await trail.ready();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe('a database that is down at start', () => {
  it('S01 ready() rejects early, events spill, and once it answers the trail migrates, stores every request once, and /authors works without a restart', async () => {
    database.proxy.cut();
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: database.proxy.url, logger, spillDir: spillDir(), connectAttempts: 2, connectRetryDelayMs: 100, flushIntervalMs: 50 });
    let spilled = 0;
    trail.telemetry.on('events_spilled', ({ count }) => (spilled += count));
    const app = express();
    app.use(auditTrail(trail));
    app.use('/authors', authorsRouter(trail));
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    const server = await listen(app);

    await expect(trail.ready()).rejects.toMatchObject({ code: 'connection_failed' });
    // Longer than the first attempts: the trail must heal on its own, not at the first try after them.
    const load = startLoad(`${server.url}/ok`, 4, 5, { limit: 2_000 });
    await sleep(3_000);
    expect((await fetch(`${server.url}/authors`)).status).toBeGreaterThanOrEqual(500);
    expect(spilled).toBeGreaterThan(0);
    expect(trail.queueDepth()).toBeLessThan(50); // on disk, not in memory
    database.proxy.restore();
    await readyWithin(trail, 30_000);
    await load.stop();
    const authors = await fetch(`${server.url}/authors`);
    expect(authors.status).toBe(200);
    await trail.flush();
    await server.close();
    await trail.close();

    expect(load.failed).toBe(0);
    expect(load.acknowledged.length).toBeGreaterThan(100);
    expect(await missingAndDuplicated(database.direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
    expect(logger.text()).toMatch(/the audit trail is ready/);
    // The host awaited ready() and heard of the failure there.
    expect(logger.text()).not.toMatch(/not ready/);
  });

  it('S02 a host killed by SIGTERM without handleSignals while the database is down loses no answered request', async () => {
    database.proxy.cut();
    const dir = spillDir();
    const env = { DATABASE_URL: database.proxy.url, SPILL_DIR: dir, CONNECT_ATTEMPTS: '1' };
    const first = await startHostProcess(env);
    const load = startLoad(`${first.url}/ok`, 4, 5, { limit: 300 });
    await load.done;
    await sleep(500);
    first.child.kill('SIGTERM');
    await once(first.child, 'exit');
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    database.proxy.restore();
    const second = await startHostProcess(env);
    await fetch(`${second.url}/flush`);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    expect(load.acknowledged.length).toBe(300);
    expect(await missingAndDuplicated(database.direct, load.acknowledged)).toEqual({ missing: [], duplicated: [] });
  });

  it('S03 logs "not ready" once when nobody awaits ready(), and not at all when the host does', async () => {
    const unawaited = memoryLogger();
    const awaited = memoryLogger();
    const options = { database: 'postgres://127.0.0.1:1/x', connectAttempts: 1, spillDir: spillDir() };
    const quiet = createAuditTrail({ ...options, logger: unawaited });
    const told = createAuditTrail({ ...options, logger: awaited });
    await expect(told.ready()).rejects.toThrow(/could not connect/);
    await sleep(300);
    await Promise.all([quiet.close(), told.close()]);
    expect(unawaited.text().match(/not ready/g)).toHaveLength(1);
    expect(awaited.text()).not.toMatch(/not ready/);
  });
});

describe('a database that retrying cannot help', () => {
  const hopeless = async (url: string) => {
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: url, logger, spillDir: spillDir(), connectAttempts: 5, connectRetryDelayMs: 5_000 });
    const started = performance.now();
    const failure = await trail.ready().then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );
    const seconds = (performance.now() - started) / 1000;
    await sleep(200);
    await trail.close();
    return { failure, seconds, log: logger.text() };
  };

  it('S04 a database that does not exist fails at once and says to create it', async () => {
    const run = await hopeless(withDatabase(database.url, 'audit_trail_no_such_database'));
    expect(run.seconds).toBeLessThan(2);
    expect(run.failure?.code).toBe('connection_failed');
    expect(run.failure?.message).toMatch(/does not exist: create it .*retrying cannot help/);
    expect(run.log).not.toMatch(/attempt 1\/5|in the background/);
  });

  it('S05 refused credentials fail at once and say to fix the user or password', async () => {
    const url = new URL(database.url);
    url.username = 'audit_trail_no_such_role';
    url.password = 'not-the-password';
    const run = await hopeless(url.toString());
    expect(run.seconds).toBeLessThan(2);
    expect(run.failure?.message).toMatch(/refused the credentials: fix the user or password in the URL.*retrying cannot help/);
    expect(run.failure?.message).not.toContain('not-the-password');
    expect(run.log).not.toMatch(/attempt 1\/5|in the background/);
  });
});
