import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditLogEntry, type AuditTrail } from '../../src/index.js';
import type { AuditLogQuery } from '../../src/query/query.js';
import { useTestDatabase } from '../support/database.js';
import { insertRows, newestFirst, seedRows, sqliteUrl } from '../support/seed-actions.js';

const postgres = useTestDatabase();
const now = Date.now();
const rows = seedRows(now);
const HOUR = 3_600_000;

const DIALECTS = [
  { name: 'PostgreSQL', url: () => postgres.url },
  { name: 'SQLite', url: sqliteUrl },
];

const ids = (entries: AuditLogEntry[]) => entries.map((entry) => entry.id);
const expected = (keep: (row: (typeof rows)[number]) => boolean) => ids(newestFirst(rows.filter(keep)) as never);

describe.each(DIALECTS)('trail.query on $name', ({ url }) => {
  let trail: AuditTrail;
  beforeAll(async () => {
    trail = createAuditTrail({ database: url(), logger: false });
    await insertRows(trail, rows);
  });
  afterAll(() => trail.close());

  async function all(query: AuditLogQuery): Promise<number[]> {
    return ids((await trail.query({ ...query, limit: 1000 })).data);
  }

  it('Q01 maps rows to camelCase entries, newest first', async () => {
    const { data, nextCursor } = await trail.query({ limit: 1 });
    const newest = newestFirst(rows)[0]!;
    expect(nextCursor).toEqual(expect.any(String));
    expect(data).toEqual([
      {
        id: newest.id,
        timestamp: newest.timestamp,
        userId: newest.user_id,
        username: newest.username,
        userRoles: ['get-authors'],
        actionType: newest.action_type,
        resource: newest.resource,
        outcome: newest.outcome,
        ipAddress: newest.ip_address,
        userAgent: 'seed/1.0',
        requestId: newest.request_id,
        requestData: newest.request_data,
        responseStatus: newest.response_status,
        errorMessage: newest.error_message,
        durationMs: newest.duration_ms,
        eventId: newest.event_id ?? null,
      },
    ]);
  });

  it('Q02 applies each exact filter', async () => {
    expect(await all({ userId: 'u-2' })).toEqual(expected((r) => r.user_id === 'u-2'));
    expect(await all({ username: 'acika' })).toEqual(expected((r) => r.username === 'acika'));
    expect(await all({ actionType: 'DELETE' })).toEqual(expected((r) => r.action_type === 'DELETE'));
    expect(await all({ requestId: 'req-7' })).toEqual([8]);
    expect(await all({ ip: '10.0.0.3' })).toEqual(expected((r) => r.ip_address === '10.0.0.3'));
    expect(await all({ statusCode: 403 })).toEqual(expected((r) => r.response_status === 403));
  });

  it('Q03 takes one outcome or several', async () => {
    expect(await all({ outcome: 'error' })).toEqual(expected((r) => r.outcome === 'error'));
    expect(await all({ outcome: ['error', 'permission_denied'] })).toEqual(expected((r) => r.outcome !== 'success'));
  });

  it('Q04 matches a resource exactly, or as a prefix ending in *', async () => {
    expect(await all({ resource: '/authors/4' })).toEqual([5]);
    expect(await all({ resource: '/authors/*' })).toEqual(expected((r) => r.resource.startsWith('/authors/')));
    expect(await all({ resource: '/Authors/*' })).toEqual([]);
  });

  it('Q04b matches resource and route case-insensitively on request, and on the route template', async () => {
    const authors = expected((r) => r.resource.startsWith('/authors/'));
    expect(await all({ resource: '/AUTHORS/*', ignoreCase: true })).toEqual(authors);
    expect(await all({ resource: '/Authors/4', ignoreCase: true })).toEqual([5]);
    expect(await all({ route: '/authors/:id' })).toEqual(authors);
    expect(await all({ route: '/books/*' })).toEqual(expected((r) => r.resource.startsWith('/books/')));
    expect(await all({ route: '/AUTHORS/:ID' })).toEqual([]);
    expect(await all({ route: '/AUTHORS/:ID', ignoreCase: true })).toEqual(authors);
    await expect(trail.query({ ignoreCase: 'yes' as never })).rejects.toThrow(/ignoreCase must be true or false/);
  });

  it('Q05 takes from/to as durations, ISO strings and Dates, from inclusive and to exclusive', async () => {
    expect(await all({ from: '24h' })).toEqual(expected((r) => r.timestamp.getTime() >= now - 24 * HOUR));
    const from = new Date(now - 48 * HOUR);
    const to = new Date(now - 24 * HOUR);
    const inWindow = expected((r) => r.timestamp >= from && r.timestamp < to);
    expect(await all({ from: from.toISOString(), to })).toEqual(inWindow);
    const first = rows.find((r) => r.id === inWindow.at(-1))!;
    expect(await all({ from: first.timestamp, to })).toContain(first.id);
    expect(await all({ from: from.toISOString(), to: first.timestamp })).not.toContain(first.id);
  });

  it('Q06 filters on minimum duration, combined with other filters', async () => {
    expect(await all({ minDurationMs: 2_500, username: 'bora' })).toEqual(expected((r) => (r.duration_ms ?? 0) >= 2_500 && r.username === 'bora'));
  });

  it('Q07 pages through everything with the cursor: no gaps, no repeats, ties broken on id', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<AuditTrail['query']>> = await trail.query({ limit: 7, outcome: ['success', 'error'], ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page.data));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    const wanted = expected((r) => r.outcome !== 'permission_denied');
    expect(seen).toEqual(wanted);
    expect(pages).toBe(Math.ceil(wanted.length / 7));
  });

  it('Q08 refuses a tampered cursor, a bad limit, outcome or time with invalid_query', async () => {
    const invalid = { name: 'AuditTrailError', code: 'invalid_query' };
    await expect(trail.query({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ ...invalid, message: expect.stringContaining('cursor') });
    await expect(trail.query({ cursor: Buffer.from('{"t":"x","i":1}').toString('base64url') })).rejects.toMatchObject(invalid);
    await expect(trail.query({ limit: 1001 })).rejects.toMatchObject({ ...invalid, message: expect.stringContaining('1 to 1000') });
    await expect(trail.query({ limit: 0 })).rejects.toMatchObject(invalid);
    await expect(trail.query({ outcome: 'oops' as never })).rejects.toMatchObject(invalid);
    await expect(trail.query({ from: 'yesterday' })).rejects.toMatchObject({ ...invalid, message: expect.stringContaining('24h') });
    await expect(trail.query({ minDurationMs: -1 })).rejects.toMatchObject(invalid);
  });
});
