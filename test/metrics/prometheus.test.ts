import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { which } from '../support/exposition.js';
import { get, METRICS_HOSTS } from './metrics-hosts.js';

const database = useTestDatabase();
const prometheus = process.env.PROMETHEUS ?? which('prometheus');
if (!prometheus) console.log('prometheus not found (Debian package `prometheus`, or set PROMETHEUS): the real-Prometheus scrape is skipped');

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/prometheus-check.mjs');
const CREDENTIALS = { username: 'prometheus', password: 'scrape-s3cret' };

describe.skipIf(!prometheus)('a real Prometheus scrapes the metrics route', () => {
  let trail: AuditTrail;
  beforeAll(async () => {
    trail = createAuditTrail({ database: database.url, logger: false, flushIntervalMs: 20 });
    await trail.ready();
  });
  afterAll(() => trail.close());

  // The in-process host keeps serving while the script runs, so the script must run asynchronously.
  it.each([METRICS_HOSTS[1]!, METRICS_HOSTS[3]!])(
    'P01 up == 1 and db_query_duration_seconds_count > 0 ($name, behind basic auth)',
    async (host) => {
      const app = await host.start(trail, { guard: CREDENTIALS });
      try {
        await get(`${app.url}/ok`);
        await trail.flush();
        const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--target', new URL(app.url).host], {
          env: { ...process.env, PROMETHEUS: prometheus, METRICS_USERNAME: CREDENTIALS.username, METRICS_PASSWORD: CREDENTIALS.password },
          timeout: 90_000,
        });
        expect(stdout).toContain('up == 1');
        expect(stdout).toMatch(/db_query_duration_seconds_count == [1-9]\d* \(> 0\)/);
        expect(stdout).toContain('prometheus check passed');
      } finally {
        await app.close();
      }
    },
    120_000,
  );
});
