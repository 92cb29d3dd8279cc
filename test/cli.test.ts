import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../migrations/index.js';
import { cli } from './support/cli.js';
import { useTestDatabase } from './support/database.js';

const database = useTestDatabase();

// Each case starts the CLI several times under tsx: seconds apiece on a busy machine.
describe('audit-trail migrate', { timeout: 90_000 }, () => {
  it('prints help with exit code 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('migrate down [--to NAME|0]');
  });

  it('applies, reports, reverts and re-applies migrations', async () => {
    const db = ['--database', database.url];
    expect(await cli(['migrate', 'status', ...db])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^pending {2}94cef3eb6eae/m) });
    const names = MIGRATIONS.map((m) => m.name);
    expect((await cli(['migrate', 'up', ...db])).stdout).toBe(names.map((name) => `applied ${name}\n`).join(''));
    expect((await cli(['migrate', 'up', ...db])).stdout).toBe('already up to date\n');
    expect((await cli(['migrate', 'history', ...db])).stdout).toMatch(/^\d{4}-\d\d-\d\dT.* {2}94cef3eb6eae_add_user_actions_table$/m);
    const newerThanFirst = names.slice(1).reverse();
    expect((await cli(['migrate', 'down', '--to', '94cef3eb6eae', ...db])).stdout).toBe(newerThanFirst.map((name) => `reverted ${name}\n`).join(''));
    expect((await cli(['migrate', 'status'], { DATABASE_URL: database.url })).stdout).toMatch(/^pending {2}b857e3e16921/m);
    expect((await cli(['migrate', 'down', '--to', '0', ...db])).stdout).toBe('reverted 94cef3eb6eae_add_user_actions_table\n');
    expect((await cli(['migrate', 'up', ...db])).code).toBe(0);
  });

  it('answers usage errors with exit code 2', async () => {
    expect(await cli(['migrate', 'sideways', '--database', database.url])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown migrate action') });
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') });
    expect(await cli(['migrate', 'up'])).toMatchObject({ code: 2, stderr: expect.stringContaining('set DATABASE_URL') });
    expect(await cli(['migrate', 'up', '--bogus'])).toMatchObject({ code: 2 });
  });

  it('finds the embedded default .audit-trail/audit.sqlite when no URL is given, and says so', async () => {
    const app = mkdtempSync(path.join(tmpdir(), 'audit-trail-cli-'));
    try {
      expect(await cli(['migrate', 'status'], {}, app)).toMatchObject({ code: 2, stderr: expect.stringContaining('no .audit-trail/audit.sqlite here either') });
      mkdirSync(path.join(app, '.audit-trail'));
      expect(await cli(['migrate', 'up', '--database', 'sqlite:.audit-trail/audit.sqlite'], {}, app)).toMatchObject({ code: 0 });
      const status = await cli(['migrate', 'status'], {}, app);
      expect(status).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied {2}94cef3eb6eae/m) });
      expect(status.stderr).toContain('using the embedded default sqlite:.audit-trail/audit.sqlite');
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('reports an unreachable database in one line, without the password, with exit code 1', async () => {
    const result = await cli(['migrate', 'up', '--database', 'postgres://admin:hunter2@127.0.0.1:1/db']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('reports a malformed URL in one line, without the password', async () => {
    const result = await cli(['migrate', 'up', '--database', 'postgres://admin:hunter2@']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('hunter2');
  });
});
