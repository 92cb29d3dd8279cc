// Scrapes a metrics route with a real Prometheus and asks Prometheus's HTTP API whether it worked:
// `up == 1` for the target, and `db_query_duration_seconds_count > 0`.
//
//   npm run build && node scripts/prometheus-check.mjs                  # starts the Express example app
//   npm run build && node scripts/prometheus-check.mjs --example koa    # or the Koa one
//   node scripts/prometheus-check.mjs --target 127.0.0.1:3000           # scrapes a running app instead
//
// METRICS_USERNAME / METRICS_PASSWORD, when set, are the basic-auth credentials Prometheus scrapes with
// (the example app requires them when METRICS_PASSWORD is set). PROMETHEUS names the binary; default:
// `prometheus` on PATH. Without one the check is skipped with the reason, and exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const root = path.resolve(import.meta.dirname, '..');
const JOB = 'audit-trail';
const DEADLINE_MS = 60_000;

const { values } = parseArgs({ options: { target: { type: 'string' }, example: { type: 'string', default: 'express' } } });
const binary = process.env.PROMETHEUS ?? onPath('prometheus');
if (!binary) {
  console.log('prometheus check skipped: no prometheus binary (install the Debian package `prometheus`, or set PROMETHEUS=/path/to/prometheus)');
  process.exit(0);
}

const work = mkdtempSync(path.join(tmpdir(), 'audit-trail-prometheus-'));
const children = [];
let passed = false;
try {
  const target = values.target ?? (await startExampleApp(values.example));
  const api = `127.0.0.1:${await freePort()}`;
  writeFileSync(path.join(work, 'prometheus.yml'), JSON.stringify(scrapeConfig(target))); // JSON is YAML
  const prometheus = spawn(
    binary,
    [`--config.file=${path.join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'data')}`, `--web.listen-address=${api}`, '--log.level=error'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  children.push(prometheus);
  console.log(`prometheus (${binary}) on ${api} scrapes http://${target}/metrics every second`);

  const up = await poll(api, `up{job="${JOB}"}`, (value) => value === 1);
  console.log(`up == ${up}`);
  const queries = await poll(api, `sum(db_query_duration_seconds_count{job="${JOB}"})`, (value) => value > 0);
  console.log(`db_query_duration_seconds_count == ${queries} (> 0)`);
  passed = true;
} catch (error) {
  console.error(`prometheus check failed: ${error.message}`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  rmSync(work, { recursive: true, force: true });
}
console.log(passed ? 'prometheus check passed' : 'prometheus check FAILED');
process.exit(passed ? 0 : 1);

function scrapeConfig(target) {
  const { METRICS_USERNAME: username = 'prometheus', METRICS_PASSWORD: password } = process.env;
  return {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [{ job_name: JOB, metrics_path: '/metrics', static_configs: [{ targets: [target] }], ...(password && { basic_auth: { username, password } }) }],
  };
}

/** Runs a PromQL query until `accept` likes its value; on timeout, says what the target's last scrape reported. */
async function poll(api, query, accept) {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    const value = await instantValue(api, query).catch(() => undefined);
    if (value !== undefined && accept(value)) return value;
    await sleep(500);
  }
  const targets = await fetch(`http://${api}/api/v1/targets`)
    .then((r) => r.json())
    .catch(() => undefined);
  const health = targets?.data?.activeTargets?.map((t) => `${t.scrapeUrl}: ${t.health} ${t.lastError}`).join('; ');
  throw new Error(`no acceptable value for ${query} within ${DEADLINE_MS / 1000} s (targets: ${health ?? 'unknown'})`);
}

async function instantValue(api, query) {
  const response = await fetch(`http://${api}/api/v1/query?query=${encodeURIComponent(query)}`);
  const { status, data } = await response.json();
  const sample = status === 'success' ? data.result[0] : undefined;
  return sample ? Number(sample.value[1]) : undefined;
}

/** An example app on a free port, with a few requests sent so it has queried its database. */
async function startExampleApp(name) {
  if (!existsSync(path.join(root, 'dist', `${name}.js`))) throw new Error('the example imports the built package: run `npm run build` first');
  const port = await freePort();
  const app = spawn(process.execPath, ['--import', 'tsx', `examples/${name}/server.ts`], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(app);
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const answered = await fetch(`http://127.0.0.1:${port}/hello`).then(
      (r) => r.ok,
      () => false,
    );
    if (answered) break;
    if (app.exitCode !== null || Date.now() > deadline) throw new Error('the example app did not start');
    await sleep(250);
  }
  for (let i = 0; i < 5; i++) await fetch(`http://127.0.0.1:${port}/hello`, { headers: { 'x-user': 'prometheus-check' } });
  return `127.0.0.1:${port}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function onPath(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}
