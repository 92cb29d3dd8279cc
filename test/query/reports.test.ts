import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { insertRows, newestFirst, seedRows, sqliteUrl } from '../support/seed-actions.js';

const postgres = useTestDatabase();
const now = Date.now();
const rows = seedRows(now);
const HOUR = 3_600_000;
const within = (ms: number) => rows.filter((r) => r.timestamp.getTime() > now - ms);

/** The reference's three reports, computed in plain JavaScript over the seeded rows. */
function slowByHand(minDurationMs: number, sinceMs: number) {
  const groups = new Map<string, number[]>();
  for (const r of within(sinceMs).filter((r) => (r.duration_ms ?? 0) >= minDurationMs)) {
    groups.set(r.action_type, [...(groups.get(r.action_type) ?? []), r.duration_ms!]);
  }
  return [...groups]
    .map(([actionType, d]) => ({
      actionType,
      avgDurationMs: Math.round((d.reduce((a, b) => a + b, 0) / d.length) * 100) / 100,
      maxDurationMs: Math.max(...d),
      count: d.length,
    }))
    .sort((a, b) => b.avgDurationMs - a.avgDurationMs || a.actionType.localeCompare(b.actionType));
}

function timelineByHand(userId: string, sinceMs: number, unitMs: number) {
  const buckets = new Map<number, { events: number; errors: number; denied: number }>();
  for (const r of within(sinceMs).filter((r) => r.user_id === userId)) {
    const start = Math.floor(r.timestamp.getTime() / unitMs) * unitMs;
    const b = buckets.get(start) ?? { events: 0, errors: 0, denied: 0 };
    b.events++;
    if (r.outcome === 'error') b.errors++;
    if (r.outcome === 'permission_denied') b.denied++;
    buckets.set(start, b);
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([start, counts]) => ({ bucket: new Date(start), ...counts }));
}

describe('the reference reports on PostgreSQL and SQLite', () => {
  const trails: Record<'postgres' | 'sqlite', AuditTrail> = {} as never;
  beforeAll(async () => {
    trails.postgres = createAuditTrail({ database: postgres.url, logger: false });
    trails.sqlite = createAuditTrail({ database: sqliteUrl(), logger: false });
    await Promise.all(Object.values(trails).map((trail) => insertRows(trail, rows)));
  });
  afterAll(() => Promise.all(Object.values(trails).map((trail) => trail.close())));

  /** Runs one report on both databases; they must agree, and the agreed answer is returned. */
  async function onBoth<T>(report: (trail: AuditTrail) => Promise<T>): Promise<T> {
    const [onPostgres, onSqlite] = await Promise.all([report(trails.postgres), report(trails.sqlite)]);
    expect(onSqlite).toEqual(onPostgres);
    return onPostgres;
  }

  it('R01 failedActions: error and permission_denied rows of one user, newest first, within since', async () => {
    const page = await onBoth((trail) => trail.failedActions({ username: 'cvija', since: '72h' }));
    const wanted = newestFirst(within(72 * HOUR).filter((r) => r.username === 'cvija' && r.outcome !== 'success'));
    expect(page.data.map((e) => e.id)).toEqual(wanted.map((r) => r.id));
    expect(page.data.length).toBeGreaterThan(0);
  });

  it('R02 failedActions defaults to the last 24 hours', async () => {
    const page = await onBoth((trail) => trail.failedActions());
    expect(page.data.map((e) => e.id)).toEqual(newestFirst(within(24 * HOUR).filter((r) => r.outcome !== 'success')).map((r) => r.id));
  });

  it('R03 slowOperations: average, max and count per action type, slowest first', async () => {
    const report = await onBoth((trail) => trail.slowOperations({ since: '7d' }));
    expect(report).toEqual(slowByHand(1_000, 7 * 24 * HOUR));
    expect(report.length).toBe(3);
    expect(await onBoth((trail) => trail.slowOperations({ minDurationMs: 2_000, since: '10d' }))).toEqual(slowByHand(2_000, 10 * 24 * HOUR));
  });

  it('R04 activityTimeline: events, errors and denials per hour and per day, oldest first', async () => {
    expect(await onBoth((trail) => trail.activityTimeline({ userId: 'u-1', since: '24h' }))).toEqual(timelineByHand('u-1', 24 * HOUR, HOUR));
    const daily = await onBoth((trail) => trail.activityTimeline({ userId: 'u-2', since: '10d', bucket: 'day' }));
    expect(daily).toEqual(timelineByHand('u-2', 10 * 24 * HOUR, 24 * HOUR));
    expect(daily.some((b) => b.errors > 0) && daily.some((b) => b.denied > 0)).toBe(true);
  });

  it('R05 activityTimeline agrees on minute, week and month buckets, for every user', async () => {
    for (const bucket of ['minute', 'week', 'month'] as const) {
      const report = await onBoth((trail) => trail.activityTimeline({ since: '10d', bucket }));
      expect(report.reduce((sum, b) => sum + b.events, 0)).toBe(within(10 * 24 * HOUR).length);
    }
    const weeks = await onBoth((trail) => trail.activityTimeline({ since: '10d', bucket: 'week' }));
    for (const { bucket } of weeks) expect(bucket.getUTCDay()).toBe(1); // ISO weeks start on Monday
  });

  it('R06 refuses an unknown bucket', async () => {
    await expect(trails.sqlite.activityTimeline({ bucket: 'fortnight' as never })).rejects.toMatchObject({ code: 'invalid_query' });
  });
});
