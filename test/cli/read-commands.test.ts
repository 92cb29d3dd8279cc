import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { cli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { insertRows, newestFirst, seedRows } from '../support/seed-actions.js';

const database = useTestDatabase();
const rows = seedRows(Date.now());
const DAY = 86_400_000;
let trail: AuditTrail;
let db: string[];

beforeAll(async () => {
  trail = createAuditTrail({ database: database.url, logger: false });
  await insertRows(trail, rows);
  db = ['--database', database.url];
});
afterAll(() => trail.close());

// Each case starts the CLI several times under tsx: seconds apiece on a busy machine.
describe('audit-trail logs', { timeout: 90_000 }, () => {
  it('L01 prints a readable table, newest first, and where the next page starts', async () => {
    const result = await cli(['logs', '--limit', '3', ...db]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIMESTAMP\s+USER\s+ACTION\s+RESOURCE\s+OUTCOME\s+STATUS\s+MS\s+REQUEST ID$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).at(-1))).toEqual(
      newestFirst(rows)
        .slice(0, 3)
        .map((r) => r.request_id),
    );
    expect(result.stderr).toMatch(/^more entries: add --cursor \S+$/m);
  });

  it('L02 filters, and prints JSON lines with --json', async () => {
    const result = await cli(['logs', '--user', 'bora', '--outcome', 'error,permission_denied', '--since', '5d', '--json', ...db]);
    const entries = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; username: string });
    const wanted = newestFirst(rows.filter((r) => r.username === 'bora' && r.outcome !== 'success' && r.timestamp.getTime() >= Date.now() - 5 * DAY));
    expect(entries.map((e) => e.id)).toEqual(wanted.map((r) => r.id));
    expect(entries[0]).toMatchObject({ username: 'bora', userId: 'u-2', actionType: expect.any(String), durationMs: expect.any(Number) });
  });

  it('L02b filters on the route template, and on resource and route ignoring case', async () => {
    const json = async (args: string[]) =>
      (await cli(['logs', '--limit', '1000', '--json', ...args, ...db])).stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: number }).id);
    const authors = newestFirst(rows.filter((r) => r.resource.startsWith('/authors/'))).map((r) => r.id);
    expect(await json(['--resource', '/AUTHORS/*', '--ignore-case'])).toEqual(authors);
    expect(await json(['--route', '/authors/:id'])).toEqual(authors);
  });

  it('L03 follows --cursor to the next page', async () => {
    const first = await cli(['logs', '--limit', '2', '--json', ...db]);
    const cursor = /--cursor (\S+)/.exec(first.stderr)![1]!;
    const second = await cli(['logs', '--limit', '2', '--json', '--cursor', cursor, ...db]);
    expect(
      second.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: number }).id),
    ).toEqual(
      newestFirst(rows)
        .slice(2, 4)
        .map((r) => r.id),
    );
  });

  it('L04 answers bad input with exit code 2 and a one-line reason', async () => {
    expect(await cli(['logs', '--since', 'yesterday', ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('--since must be') });
    expect(await cli(['logs', '--bucket', 'day', ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('--bucket does not apply to logs') });
    expect(await cli(['logs', '--limit', 'lots', ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('--limit must be a whole number') });
    expect(await cli(['logs', '--cursor', 'forged', ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('cursor') });
    expect(await cli(['report', 'weekly', ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown report') });
  });

  it('L04b answers dates outside years 1 to 9999 with exit code 2 and a one-line reason', async () => {
    const yearZero = Buffer.from(JSON.stringify({ t: '0000-06-01T00:00:00.000Z', i: 5 })).toString('base64url');
    const between = /^audit-trail: --(since|until) must be between 0001-01-01 and 9999-12-31; got "[^"]+"\.\n$/;
    expect(await cli(['logs', '--since', '0000-01-01', ...db])).toMatchObject({ code: 2, stderr: expect.stringMatching(between) });
    expect(await cli(['logs', '--until', '99999999999d', ...db])).toMatchObject({ code: 2, stderr: expect.stringMatching(between) });
    expect(await cli(['report', 'slow', '--since', '99999999999d', ...db])).toMatchObject({ code: 2, stderr: expect.stringMatching(between) });
    expect(await cli(['logs', '--cursor', yearZero, ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('cursor is not one') });
  });
});

describe('audit-trail report', { timeout: 90_000 }, () => {
  it('L05 prints the three reports, as tables and as JSON lines', async () => {
    const slow = await cli(['report', 'slow', '--since', '10d', '--json', ...db]);
    expect(
      slow.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(await trail.slowOperations({ since: '10d' }));
    const timeline = await cli(['report', 'timeline', '--user-id', 'u-1', '--since', '10d', '--bucket', 'day', ...db]);
    expect(timeline.stdout).toMatch(/^BUCKET\s+EVENTS\s+ERRORS\s+DENIED\n\d{4}-\d\d-\d\dT00:00:00.000Z\s+\d+\s+\d+\s+\d+$/m);
    const failed = await cli(['report', 'failed', '--user', 'cvija', '--since', '10d', ...db]);
    expect(
      failed.stdout
        .trim()
        .split('\n')
        .slice(1)
        .every((line) => /\s(error|permission_denied)\s/.test(line)),
    ).toBe(true);
  });
});

describe('audit-trail prune', { timeout: 90_000 }, () => {
  it('L06 a dry run counts, a real run deletes through the door, and both say so', async () => {
    const old = rows.filter((r) => r.timestamp.getTime() < Date.now() - 7 * DAY).length;
    expect((await cli(['prune', '--older-than', '7d', '--dry-run', ...db])).stdout).toMatch(
      new RegExp(`^dry run: would delete ${old} audit row\\(s\\) and 0 change row\\(s\\) older than `),
    );
    expect((await cli(['prune', '--older-than', '7d', '--batch-size', '5', ...db])).stdout).toMatch(
      new RegExp(`^deleted ${old} audit row\\(s\\) and 0 change row\\(s\\) older than `),
    );
    expect(await (await trail.store()).models.UserAction.count()).toBe(rows.length - old);
    expect(await cli(['prune', ...db])).toMatchObject({ code: 2, stderr: expect.stringContaining('--older-than') });
  });

  it('L06b refuses a cut-off in the future or less than a day ago unless --force, with exit code 2', async () => {
    const before = (await trail.query({ limit: 1000 })).data.length;
    expect(await cli(['prune', '--older-than', '2999-01-01', ...db])).toMatchObject({ code: 2, stderr: expect.stringMatching(/in the future.*--force/) });
    expect(await cli(['prune', '--older-than', '1h', ...db])).toMatchObject({ code: 2, stderr: expect.stringMatching(/less than a day ago.*--force/) });
    expect((await trail.query({ limit: 1000 })).data).toHaveLength(before);
    expect((await cli(['prune', '--older-than', '2999-01-01', '--force', '--dry-run', ...db])).stdout).toMatch(new RegExp(`^dry run: would delete ${before} audit row`));
  });

  it('L07 points at migrate up when the table is missing', async () => {
    const { adminQuery } = await import('../support/database.js');
    const empty = `${database.url}_empty`;
    await adminQuery(`CREATE DATABASE ${new URL(empty).pathname.slice(1)}`);
    try {
      expect(await cli(['logs', '--database', empty])).toMatchObject({ code: 1, stderr: expect.stringContaining("run 'audit-trail migrate up' first") });
    } finally {
      await adminQuery(`DROP DATABASE ${new URL(empty).pathname.slice(1)} WITH (FORCE)`);
    }
  });
});
