import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuditTrail } from '/work/wt-lean/src/index.js';
import { createScratchDatabase } from '/work/wt-lean/bench/scratch-database.js';
const N = Number(process.env.N ?? 100000);
function event(i: number) {
  return { timestamp: new Date(), userId: `user-${i % 97}`, username: `someone-${i % 97}`, userRoles: ['reader', 'get-authors'],
    actionType: i % 3 === 0 ? 'POST' : 'GET', resource: `/authors/${i % 1000}`, outcome: 'success' as const, ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0', requestId: randomUUID(),
    requestData: JSON.stringify({ query: { page: '2' }, route: '/authors/:id', body: { name: 'Ada', password: '[REDACTED]', tags: ['a', 'b'] } }),
    responseStatus: 200, errorMessage: null, durationMs: 3 };
}
const db = await createScratchDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'prof');
const trail = createAuditTrail({ database: db.url, logger: false, spillDir: mkdtempSync(path.join(tmpdir(), 'sp-')) });
await trail.ready();
for (let round = 0; round < 2; round++) {
  const cpu = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < N; i++) { trail.record(event(i) as any); if (i % 1000 === 999) await new Promise((r) => setImmediate(r)); }
  await trail.flush();
  const c = process.cpuUsage(cpu); const s = (performance.now() - t) / 1000;
  console.log(`round ${round}: ${Math.round(N / s)} rows/s, node ${( (c.user + c.system) / N).toFixed(1)} µs/row`);
}
await trail.close();
await db.drop();
