// Tests leave nothing behind: `before` notes what is there, `after` fails on anything a run added and kept —
// a Redis key with no TTL, a database, an entry in the temp directory, a file in the checkout.
// .ci/run wraps `npm test` in the two.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const state = path.join(tmpdir(), 'audit-trail-leftovers.json');

async function redisKeysWithoutTtl() {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const keys = [];
    for await (const batch of redis.scanStream({ count: 1000 })) keys.push(...batch);
    const ttls = await Promise.all(keys.map((key) => redis.ttl(key)));
    return keys.filter((_, i) => ttls[i] === -1);
  } finally {
    redis.disconnect();
  }
}

async function databases() {
  const client = new pg.Client(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  await client.connect();
  try {
    return (await client.query('SELECT datname FROM pg_database')).rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

/** Files in the checkout that git neither tracks nor ignores, and the embedded default's folder. */
function checkoutFiles() {
  const untracked = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith('??'))
    .map((line) => line.slice(3));
  return [...untracked, ...readdirSync(root).filter((name) => name === '.audit-trail')];
}

async function snapshot() {
  return { redis: await redisKeysWithoutTtl(), databases: await databases(), temp: readdirSync(tmpdir()), checkout: checkoutFiles() };
}

const mode = process.argv[2];
if (mode === 'before') {
  writeFileSync(state, JSON.stringify(await snapshot()));
} else if (mode === 'after') {
  const before = JSON.parse(readFileSync(state, 'utf8'));
  const after = await snapshot();
  const added = Object.fromEntries(Object.entries(after).map(([kind, names]) => [kind, names.filter((name) => !before[kind].includes(name) && name !== path.basename(state))]));
  const found = Object.entries(added).filter(([, names]) => names.length > 0);
  for (const [kind, names] of found) console.error(`left behind (${kind}): ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … ${names.length} in all` : ''}`);
  if (found.length > 0) process.exit(1);
  console.log('leftovers check passed: the tests left no Redis key without a TTL, no database, no temp file and no file in the checkout');
} else {
  console.error('usage: node scripts/check-leftovers.mjs before|after');
  process.exit(2);
}
