// Listing latency of the authors router over 100,000 and 1,000,000 authors: `npm run bench:authors`.
// Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, a user that may
// CREATE DATABASE) and Redis (REDIS_URL, default redis://127.0.0.1:6379). Each size gets a scratch
// database, dropped at the end. Requests go over HTTP on loopback to an Express 5 app, one at a time.
// BENCH_AUTHOR_SIZES=100000 runs one size only.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { mountRoutes } from '../adapters/express-routes.js';
import { databaseName } from '../src/authors/authors-service.js';
import { authorCommands } from '../src/authors/commands.js';
import { countNamespace, CountCachePolicy } from '../src/authors/count-cache.js';
import { encodeCursor } from '../src/authors/cursor.js';
import { RedisCountCache } from '../src/authors/redis-count-cache.js';
import { AuthorRepository } from '../src/authors/repository.js';
import { authorRoutes } from '../src/authors/routes.js';
import { createAuditTrail } from '../src/index.js';
import { silentLogger } from '../src/logger.js';
import { listen } from '../test/support/listen.js';
import { createScratchDatabase } from './scratch-database.js';
import { percentile } from './stats.js';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIZES = (process.env.BENCH_AUTHOR_SIZES ?? '100000,1000000').split(',').map(Number);
const PER_PAGE = 20;
/** The reference's own table (docs: "Pagination Count Caching"), at 100,000 rows only. */
const REFERENCE_100K: Record<string, string> = { 'first page, count uncached': '450', 'first page, count cached': '1' };

async function measure(iterations: number, run: () => Promise<void>, before?: () => Promise<void>) {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    await before?.();
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), n: iterations };
}

async function benchSize(size: number) {
  const scratch = await createScratchDatabase(ADMIN_URL, 'authors');
  const trail = createAuditTrail({ database: scratch.url, redis: REDIS_URL, logger: false });
  try {
    await trail.ready();
    const { sequelize, models } = await trail.store();
    const seedStart = performance.now();
    await sequelize.query(`INSERT INTO author (name) SELECT 'author ' || g FROM generate_series(1, ${size}) AS g`);
    await sequelize.query('ANALYZE author');
    console.log(`\n${size.toLocaleString('en')} authors seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const namespace = countNamespace('audit-trail:', databaseName(sequelize), 'author');
    const cache = new RedisCountCache(trail.redis()!, { namespace, ttlSeconds: 300, timeoutMs: 200 });
    const commands = authorCommands(new AuthorRepository(sequelize, models.Author), new CountCachePolicy(cache, trail.telemetry, silentLogger), namespace);
    const app = express();
    app.use(
      '/authors',
      mountRoutes(
        authorRoutes(async () => commands),
        { logger: silentLogger },
      ),
    );
    const host = await listen(app);
    const get = (query: string) => async () => {
      const response = await fetch(`${host.url}/authors?${query}`);
      if (response.status !== 200) throw new Error(`GET /authors?${query} answered ${response.status}`);
      await response.arrayBuffer();
    };
    const deepPage = Math.floor((size / PER_PAGE) * 0.9);
    const deepId = (deepPage - 1) * PER_PAGE; // seeded ids run 1…size, so this is the same page by cursor
    const invalidate = () => cache.invalidate();

    await measure(20, get(`per_page=${PER_PAGE}`)); // warm the pool, plans and Redis connection
    const cases: Array<[string, () => ReturnType<typeof measure>]> = [
      ['first page, count uncached', () => measure(40, get(`per_page=${PER_PAGE}`), invalidate)],
      ['first page, count cached', () => measure(500, get(`per_page=${PER_PAGE}`))],
      ['first page, skip_count', () => measure(500, get(`per_page=${PER_PAGE}&skip_count=true`))],
      [`deep page ${deepPage.toLocaleString('en')} by offset`, () => measure(40, get(`per_page=${PER_PAGE}&skip_count=true&page=${deepPage}`))],
      ['the same page by cursor', () => measure(500, get(`per_page=${PER_PAGE}&skip_count=true&cursor=${encodeCursor(deepId)}`))],
    ];
    const rows = [];
    for (const [label, run] of cases) {
      const { p50, p99, n } = await run();
      rows.push({
        case: label,
        requests: n,
        'p50 ms': p50.toFixed(2),
        'p99 ms': p99.toFixed(2),
        'reference ms': size === 100_000 ? (REFERENCE_100K[label] ?? '—') : '—',
      });
    }
    console.table(rows);
    await host.close();
  } finally {
    await trail.close();
    await scratch.drop();
  }
}

console.log(`authors listing, ${PER_PAGE} per page, over HTTP on loopback (Express 5), sequential requests`);
console.log(
  `${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}: figures on a busy machine run high`,
);
for (const size of SIZES) await benchSize(size);
