// Verification speed: `npm run bench:verify`. Fills a scratch database through the trail with the chain on
// (2 batches in flight, so batches interleave as in production), then prints verify()'s rows/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuditTrail } from '../src/index.js';
import { event } from './bench-event.js';
import { createScratchDatabase } from './scratch-database.js';
import { median } from './stats.js';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const database = await createScratchDatabase(SERVER, 'verify');
const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-bench-spill-'));
try {
  const trail = createAuditTrail({ database: database.url, logger: false, spillDir, integrity: true });
  await trail.ready();
  for (let i = 0; i < ROWS; i++) {
    trail.record(event(i));
    if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  await trail.flush();
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const report = await trail.verify();
    if (!report.intact || report.rows !== ROWS) throw new Error(`verify found ${JSON.stringify(report)}`);
    rates.push(report.rowsPerSecond);
  }
  await trail.close();
  console.log(`verify(): ${ROWS.toLocaleString('en-US')} chained rows in ${(ROWS / 500).toLocaleString('en-US')}-odd batches, median of ${ROUNDS}:`);
  console.log(`  ${Math.round(median(rates)).toLocaleString('en-US')} rows/s (rounds: ${rates.map((rate) => Math.round(rate).toLocaleString('en-US')).join(', ')})`);
} finally {
  rmSync(spillDir, { recursive: true, force: true });
  await database.drop();
}
