import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { createAuditTrail, type AuditTrailOptions } from '../../src/index.js';
import { rowCounts } from '../support/audited-app.js';
import { useTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const database = useTestDatabase();
let proxy: TcpProxy;
beforeAll(async () => void (proxy = await startTcpProxy(database.url)));
afterAll(() => proxy.close());

function event(requestId: string, requestData: string | null = null): AuditEvent {
  return {
    timestamp: new Date(),
    userId: 'anonymous',
    username: 'anonymous',
    userRoles: [],
    actionType: 'GET',
    resource: '/ok',
    outcome: 'success',
    ipAddress: null,
    userAgent: null,
    requestId,
    requestData,
    responseStatus: 200,
    errorMessage: null,
    durationMs: 1,
  };
}

/** Records `count` events into a full queue while the database is cut off; returns what was stored and dropped. */
async function overflow(prefix: string, count: number, options: AuditTrailOptions, requestData: string | null = null) {
  const logger = memoryLogger();
  const trail = createAuditTrail({ database: proxy.url, logger, spillDir: mkdtempSync(path.join(tmpdir(), 'audit-spill-')), ...options });
  const dropped: Array<{ reason: string; count: number }> = [];
  trail.telemetry.on('dropped', (drop) => dropped.push(drop));
  await trail.ready();
  const { sequelize } = await trail.store();
  proxy.cut();
  const waits = Array.from({ length: count }, (_, i) => trail.record(event(`${prefix}-${i}`, requestData)));
  await Promise.all(waits);
  proxy.restore();
  await trail.flush();
  const stored = [...(await rowCounts(sequelize)).keys()].filter((id) => id.startsWith(`${prefix}-`));
  await trail.close();
  return { stored: stored.map((id) => Number(id.slice(prefix.length + 1))).sort((a, b) => a - b), dropped, log: logger.text(), waits };
}

describe('onOverflow', () => {
  it("W40 'drop-newest' keeps the oldest events and counts the rest", async () => {
    const run = await overflow('newest', 15, { maxQueue: 10, onOverflow: 'drop-newest' });
    expect(run.stored).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run.dropped).toEqual(Array(5).fill({ reason: 'queue_full', count: 1 }));
    expect(run.log).toMatch(/audit events dropped, never to be stored: \d+ queue_full/);
  });

  it("W41 'drop-oldest' keeps the newest events and counts the rest", async () => {
    const run = await overflow('oldest', 15, { maxQueue: 10, onOverflow: 'drop-oldest' });
    expect(run.stored).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(run.dropped.reduce((sum, d) => sum + d.count, 0)).toBe(5);
  });

  it("W42 'spill' keeps every event", async () => {
    const run = await overflow('spill', 15, { maxQueue: 10 });
    expect(run.stored).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(run.dropped).toEqual([]);
  });

  it("W43 'block' makes the caller wait for space, and drops with a count when the wait times out", async () => {
    const run = await overflow('block', 3, { maxQueue: 1, batchSize: 1, writeConcurrency: 1, onOverflow: 'block', blockTimeoutMs: 300, flushIntervalMs: 1_000 });
    expect(run.waits.map((wait) => wait instanceof Promise)).toEqual([false, true, true]);
    expect(run.stored).toEqual([0, 1]);
    expect(run.dropped).toEqual([{ reason: 'queue_full', count: 1 }]);
  });

  it("W44 a full queue by bytes meets the policy too: 'drop-oldest' drops as many as make room", async () => {
    const body = JSON.stringify({ note: 'x'.repeat(10_000) });
    const run = await overflow('bytes', 15, { maxQueueBytes: 35_000, onOverflow: 'drop-oldest' }, body);
    expect(run.stored).toEqual([12, 13, 14]);
    expect(run.dropped.reduce((sum, d) => sum + d.count, 0)).toBe(12);
  });
});
