import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Every temporary file of a run (the tests', their child processes', Chromium's) goes in one scratch
 * directory, removed when the run ends: a run leaves nothing in the machine's temp directory, whatever a
 * test forgot to clean. scripts/check-leftovers.mjs checks that in CI.
 */
export default function setup() {
  const previous = process.env.TMPDIR;
  const scratch = mkdtempSync(path.join(tmpdir(), 'audit-trail-tests-'));
  // Open to other users, as the machine's temp directory is: a test runs PostgreSQL's initdb as postgres.
  chmodSync(scratch, 0o755);
  process.env.TMPDIR = scratch;
  return () => {
    rmSync(scratch, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  };
}
