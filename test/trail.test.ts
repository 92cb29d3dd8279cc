import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { createAuditTrail } from '../src/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { useTestDatabase } from './support/database.js';
import { memoryLogger } from './support/memory-logger.js';

const database = useTestDatabase();

describe('createAuditTrail', () => {
  it('connects, migrates, and is ready', async () => {
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: database.url, logger });
    await trail.ready();
    const { sequelize } = await trail.store();
    const [rows] = await sequelize.query('SELECT name FROM audit_trail_migrations ORDER BY name');
    expect(rows).toHaveLength(MIGRATIONS.length);
    await trail.close();
  });

  it('applies each migration exactly once when five instances mount at once', async () => {
    const { createTestDatabase } = await import('./support/database.js');
    const fresh = await createTestDatabase();
    const loggers = Array.from({ length: 5 }, () => memoryLogger());
    const trails = loggers.map((logger) => createAuditTrail({ database: fresh.url, logger }));
    await Promise.all(trails.map((t) => t.ready()));
    const applied = loggers.flatMap((l) => l.lines.filter((line) => line.message.startsWith('migrated ')).map((line) => line.message));
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => `migrated ${m.name}`).sort());
    expect(loggers.some((l) => l.text().includes('waiting up to'))).toBe(true);
    await Promise.all(trails.map((t) => t.close()));
    await fresh.drop();
  });

  it('retries a refused connection, logs each attempt, and rejects naming host and port but no password', async () => {
    const logger = memoryLogger();
    const trail = createAuditTrail({
      database: 'postgres://someone:s3cret-pw@127.0.0.1:1/nowhere',
      connectAttempts: 3,
      connectRetryDelayMs: 10,
      logger,
    });
    const failure = await trail.ready().then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );
    expect(failure?.code).toBe('connection_failed');
    expect(failure?.message).toMatch(/127\.0\.0\.1:1 after 3 attempt/);
    expect(failure?.message).not.toContain('s3cret');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message.slice(0, 31))).toEqual([
      'database connection attempt 1/3',
      'database connection attempt 2/3',
      'still trying the database at 12',
    ]);
    expect(logger.text()).not.toContain('s3cret');
    await trail.close();
  });

  it('never leaves an unhandled rejection when nobody awaits ready()', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: 'postgres://127.0.0.1:1/x', connectAttempts: 1, logger });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(logger.text()).toMatch(/error: audit trail is not ready: could not connect/);
    await trail.close();
  });

  it('defines its models on a host-owned Sequelize and leaves it open on close()', async () => {
    const host = new Sequelize(database.url, { logging: false });
    const trail = createAuditTrail({ database: host, logger: false });
    await trail.ready();
    expect(host.isDefined('AuditTrailUserAction')).toBe(true);
    await trail.close();
    await expect(host.query('SELECT 1')).resolves.toBeDefined();
    await host.close();
  });

  it('uses an embedded SQLite file under the working directory when nothing is configured', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-trail-'));
    const cwd = process.cwd();
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    process.chdir(dir);
    try {
      const trail = createAuditTrail({ logger: false });
      await trail.ready();
      await trail.close();
      expect(existsSync(path.join(dir, '.audit-trail', 'audit.sqlite'))).toBe(true);
    } finally {
      process.chdir(cwd);
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });

  it('rejects bad options with a message that says what to do', () => {
    expect(() => createAuditTrail({ connectAttempts: 0 })).toThrow(/connectAttempts must be an integer of at least 1/);
    expect(() => createAuditTrail({ pool: { min: 40 } })).toThrow(/pool.min \(40\) exceeds pool.max \(30\)/);
    expect(() => createAuditTrail({ database: {} as never })).toThrow(/Sequelize instance or a URL/);
  });
});
