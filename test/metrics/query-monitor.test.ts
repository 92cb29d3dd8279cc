import { Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import type { TelemetryEvents } from '../../src/telemetry.js';
import { useTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';

const database = useTestDatabase();

type DbQuery = TelemetryEvents['db_query'][0];

describe('the slow-query monitor', () => {
  it('logs a query made slow with pg_sleep, with its duration and operation but no parameter values', async () => {
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: database.url, logger, slowQueryMs: 250 });
    const { sequelize } = await trail.store();
    logger.lines.length = 0; // only what follows the migrations
    const queries: DbQuery[] = [];
    trail.telemetry.on('db_query', (query) => queries.push(query));

    await sequelize.query("SELECT pg_sleep(0.5), :secret::text AS secret, 'literal-s3cret' AS other", {
      replacements: { secret: 'replaced-s3cret' },
    });
    await sequelize.query('SELECT 1');

    const warnings = logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Slow query detected: 0\.\d{3}s \[select\] Statement: SELECT pg_sleep\(\?\), \?::text AS secret, \? AS other$/);
    expect(Number(/(\d\.\d+)s/.exec(warnings[0]!)![1])).toBeGreaterThanOrEqual(0.5);
    expect(logger.text()).not.toContain('s3cret');
    expect(queries.map(({ operation, slow, failed }) => ({ operation, slow, failed }))).toEqual([
      { operation: 'select', slow: true, failed: false },
      { operation: 'select', slow: false, failed: false },
    ]);
    await trail.close();
  });

  it('reports failed queries, and the failure still reaches the caller unchanged', async () => {
    const trail = createAuditTrail({ database: database.url, logger: false });
    const { sequelize } = await trail.store();
    const queries: DbQuery[] = [];
    trail.telemetry.on('db_query', (query) => queries.push(query));
    await expect(sequelize.query('DELETE FROM no_such_table')).rejects.toThrow(/relation "no_such_table" does not exist/);
    await sequelize.query('SELECT 1');
    expect(queries.map(({ operation, failed }) => ({ operation, failed }))).toEqual([
      { operation: 'delete', failed: true },
      { operation: 'select', failed: false },
    ]);
    await trail.close();
  });

  it("times the host's own queries on a shared Sequelize, and removes its hooks on close()", async () => {
    const host = new Sequelize(database.url, { logging: false });
    const first = createAuditTrail({ database: host, logger: false });
    const second = createAuditTrail({ database: host, logger: false });
    await Promise.all([first.ready(), second.ready()]);
    const seen: string[] = [];
    first.telemetry.on('db_query', ({ operation }) => seen.push(`first:${operation}`));
    second.telemetry.on('db_query', ({ operation }) => seen.push(`second:${operation}`));

    await host.query('UPDATE author SET name = name WHERE false');
    expect(seen.sort()).toEqual(['first:update', 'second:update']);

    await first.close(); // must not take the second trail's hooks with it
    seen.length = 0;
    await host.query('SELECT 1');
    expect(seen).toEqual(['second:select']);

    await second.close();
    expect(host.hasHook('beforeQuery')).toBe(false);
    expect(host.hasHook('afterQuery')).toBe(false);
    await host.query('SELECT 1'); // the host's Sequelize still works
    await host.close();
  });
});
