import { mkdtempSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { auditLogRouter } from '../../adapters/express.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { listen } from '../support/listen.js';
import { exportLog } from '../../src/query/export.js';
import { insertBulkRows } from '../support/bulk-rows.js';
import { useTestDatabase } from '../support/database.js';

/** Rows in the memory test; `EXPORT_ROWS=1000000` runs it at the scale the viewer promises. */
const ROWS = Number(process.env.EXPORT_ROWS ?? 100_000);
const HEAP_GROWTH_LIMIT = 16 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const database = useTestDatabase();
let trail: AuditTrail;

beforeAll(async () => {
  trail = createAuditTrail({ database: database.url, logger: false, spillDir: mkdtempSync(path.join(tmpdir(), 'audit-export-')) });
  await insertBulkRows((await trail.store()).sequelize, ROWS, 300);
}, 600_000);
afterAll(() => trail.close());

describe('exportLog', () => {
  it('X01 walks every matching row once, newest first, across keyset pages', async () => {
    const store = await trail.store();
    const ids: number[] = [];
    for await (const chunk of await exportLog(store, { userId: 'u-3' }, 'jsonl')) {
      for (const line of chunk.trimEnd().split('\n')) ids.push((JSON.parse(line) as { id: number }).id);
    }
    const matching = Array.from({ length: ROWS }, (_, i) => i + 1).filter((n) => n % 7 === 3).length;
    expect(matching).toBeGreaterThan(3000); // several pages of 1000
    expect(ids.length).toBe(matching);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b)); // newest first: generate_series gave the newest the lowest id
  });

  it(`X02 exports ${ROWS} rows as CSV with the heap held flat`, async () => {
    const store = await trail.store();
    const baseline = live();
    let peak = baseline;
    let bytes = 0;
    let lines = 0;
    let chunks = 0;
    for await (const chunk of await exportLog(store, {}, 'csv')) {
      bytes += chunk.length;
      lines += chunk.split('\r\n').length - 1;
      if (++chunks % 10 === 0) peak = Math.max(peak, live());
    }
    const growth = peak - baseline;
    console.log(`export of ${ROWS} rows: ${(bytes / 1e6).toFixed(0)} MB of CSV, memory at most ${(growth / 1e6).toFixed(1)} MB above the start`);
    expect(lines).toBe(ROWS + 1);
    expect(bytes).toBeGreaterThan(HEAP_GROWTH_LIMIT); // more text than the heap may grow by: it cannot all have been held
    expect(growth).toBeLessThan(HEAP_GROWTH_LIMIT);
  }, 600_000);

  it('X03 over HTTP, a client that stops reading stops the reads: the server holds a few pages, not the export', async () => {
    const app = express();
    app.use('/audit-log', auditLogRouter(trail, { authorize: () => true }));
    const server = await listen(app);
    try {
      const baseline = live();
      const response = await fetch(`${server.url}/audit-log/export?format=jsonl`);
      const reader = response.body!.getReader();
      let bytes = (await reader.read()).value!.length;
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the server runs ahead only as far as the buffers let it
      const held = live() - baseline;
      let lines = 0;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        bytes += chunk.value.length;
        for (const byte of chunk.value) if (byte === 10) lines++;
      }
      console.log(`export over HTTP, client paused: memory ${(held / 1e6).toFixed(1)} MB above the start, of ${(bytes / 1e6).toFixed(0)} MB sent`);
      expect(bytes).toBeGreaterThan(HEAP_GROWTH_LIMIT);
      expect(held).toBeLessThan(HEAP_GROWTH_LIMIT);
      expect(lines).toBeGreaterThan(ROWS - 1000); // the first chunk's lines are not counted
    } finally {
      await server.close();
    }
  });
});

/**
 * What the process holds after a collection, on the heap and in buffers (where text waiting for a socket
 * sits): the garbage of pages already sent does not count.
 */
function live(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}
