// One host for `npm run bench:changes`: an Express 5 app whose endpoint updates one row per request, with
// trackChanges on (TRACK=1) or off. Started by bench/changes.ts; answers `stats` over IPC with the
// main thread's busy time (event-loop utilization) since the last `reset`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import express from 'express';
import { DataTypes, Sequelize } from 'sequelize';
import { auditTrail } from '../adapters/express.js';
import { listen } from '../test/support/listen.js';

const url = process.env.BENCH_DATABASE_URL!;
const track = process.env.TRACK === '1';
const ROWS = 1_000;

const audit = auditTrail({ database: url, logger: false, spillDir: mkdtempSync(path.join(tmpdir(), 'bench-changes-')) });
const sequelize = new Sequelize(url, { logging: false, pool: { max: 10 } });
const Invoice = sequelize.define('Invoice', { amount: DataTypes.INTEGER });
await audit.ready();
if (track) audit.trackChanges(sequelize, { models: ['Invoice'] });

let next = 0;
const app = express();
app.use(audit);
app.post('/touch', (_req, res, fail) => {
  const id = (next++ % ROWS) + 1;
  // An instance update: one UPDATE statement, and (tracked) one change row with its [before, after].
  Invoice.build({ id, amount: 0 }, { isNewRecord: false })
    .update({ amount: next })
    .then(() => res.json({ id }), fail);
});
const server = await listen(app);

let since: EventLoopUtilization = performance.eventLoopUtilization();
process.on('message', (message: string) => {
  if (message === 'reset') {
    void audit.flush().then(() => {
      since = performance.eventLoopUtilization();
      next = 0;
      process.send!({ type: 'reset' });
    });
  } else if (message === 'stats') {
    void audit.flush().then(() => process.send!({ type: 'stats', activeMs: performance.eventLoopUtilization(since).active }));
  }
});
process.send!({ type: 'listening', url: `${server.url}/touch` });
