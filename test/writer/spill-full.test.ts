import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';

const database = useTestDatabase();
const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-full-'));
let direct: Sequelize;

/** A tiny tmpfs is a spill disk that fills for real; mounting one takes root. */
function mountTmpfs(size: string, remount = false): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size}`, 'tmpfs', spillDir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs (needs root): ${String(error).split('\n')[0]}`;
  }
}

const cannotMount = mountTmpfs('64k');

beforeAll(() => {
  direct = new Sequelize(database.url, { logging: false });
});
afterAll(async () => {
  await direct.close();
  // Lazily: a failed test may leave a trail holding a file open there.
  if (!cannotMount) execFileSync('umount', ['-l', spillDir]);
});

// 1 KB of request data: a 64 KiB disk holds about 50 of them.
const DATA = JSON.stringify({ note: 'x'.repeat(1_000) });

function event(requestId: string): AuditEvent {
  return {
    timestamp: new Date(),
    userId: 'anonymous',
    username: 'anonymous',
    userRoles: [],
    actionType: 'POST',
    resource: '/spill',
    outcome: 'success',
    ipAddress: null,
    userAgent: null,
    requestId,
    requestData: DATA,
    responseStatus: 200,
    errorMessage: null,
    durationMs: 1,
  };
}

/** Spilled and dropped counts, as the trail's telemetry reports them. */
function counted(trail: AuditTrail) {
  const counts = { spilled: 0, dropped: 0 };
  trail.telemetry.on('events_spilled', ({ count }) => (counts.spilled += count));
  trail.telemetry.on('dropped', ({ reason, count }) => reason === 'spill_failed' && (counts.dropped += count));
  return counts;
}

/** A few at a time, as requests come: each group is spilled (or dropped) before the next. */
async function recordAll(trail: AuditTrail, counts: { spilled: number; dropped: number }, ids: readonly string[]) {
  for (let i = 0; i < ids.length; i += 5) {
    const group = ids.slice(i, i + 5);
    const before = counts.spilled + counts.dropped;
    for (const id of group) trail.record(event(id));
    while (counts.spilled + counts.dropped < before + group.length) await sleep(2);
  }
}

describe('a full spill disk', () => {
  it.skipIf(cannotMount)(
    `W56 logs once per failing spell with counts, leaves no torn line, and what was spilled is stored after recovery${cannotMount ? ` (skipped: ${cannotMount})` : ''}`,
    async () => {
      const run = `full-${Date.now()}`;
      const logger = memoryLogger();
      // Nothing listens on port 1: the trail never becomes ready, so every event goes to the spill file.
      const first = createAuditTrail({ database: 'postgres://postgres@127.0.0.1:1/none', spillDir, logger, connectAttempts: 1, connectRetryDelayMs: 50 });
      await first.ready().catch(() => {});
      const counts = counted(first);

      await recordAll(
        first,
        counts,
        Array.from({ length: 800 }, (_, i) => `${run}-a${i}`),
      );
      expect(counts.dropped).toBeGreaterThan(600);
      expect(counts.spilled).toBeGreaterThan(20);
      // Once per change of state: a nearly full disk may take a small write between failing ones.
      const failing = logger.lines.filter((line) => line.message.includes('cannot write to the spill directory'));
      const recovered = () => logger.lines.filter((line) => line.message.includes('accepts writes again;'));
      expect(failing.length).toBeGreaterThanOrEqual(1);
      expect(failing.length).toBe(recovered().length + 1);
      expect(failing[0]!.message).toMatch(/ENOSPC/);
      expect(logger.lines.length).toBeLessThan(20); // 800 events; before, one line each

      expect(mountTmpfs('4m', true)).toBeUndefined();
      const droppedWhileFull = counts.dropped;
      await recordAll(
        first,
        counts,
        Array.from({ length: 100 }, (_, i) => `${run}-b${i}`),
      );
      expect(counts.dropped).toBe(droppedWhileFull);
      // Every event lost is in a log line's count.
      const reported = recovered().map((line) => Number(/; (\d+) audit event\(s\) could not be spilled/.exec(line.message)![1]));
      expect(reported).toHaveLength(failing.length);
      expect(reported.reduce((a, b) => a + b, 0)).toBe(droppedWhileFull);
      await first.close();

      // Whole lines only: a write cut short by the full disk was cut off again.
      const lines = readdirSync(spillDir).flatMap((name) => readFileSync(path.join(spillDir, name), 'utf8').split('\n').filter(Boolean));
      expect(lines).toHaveLength(counts.spilled);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();

      const second = createAuditTrail({ database: database.url, logger: false, spillDir });
      await second.ready();
      await second.flush();
      await second.close();
      const [[stored]] = (await direct.query(`SELECT count(*)::int AS n FROM user_actions WHERE request_id LIKE '${run}-%'`)) as [[{ n: number }], unknown];
      expect(stored!.n).toBe(counts.spilled);
      expect(readdirSync(spillDir)).toEqual([]);
    },
  );
});
