// The README's "Use it in your app", run as a new user runs it: its install line and its ESM and CommonJS apps
// are read from the README's text (so they cannot drift from what it shows), each app goes into a fresh
// `npm init -y` directory with the packed tarball installed in place of the registry's audit-trail, and it must
// answer on all four mounts and leave its row in the trail.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const START_TIMEOUT_MS = 60_000;
const ROW_TIMEOUT_MS = 15_000;

/** The install line and the two apps, each named by the file its first line says it is. */
function readmeApps(readme) {
  const install = /^npm install audit-trail\b.*$/m.exec(readme)?.[0];
  const apps = [...readme.matchAll(/^```js\n\/\/ (index\.m?js)\b[^\n]*\n([\s\S]*?)^```$/gm)].map(([, file, code]) => ({ file, code }));
  const files = apps.map(({ file }) => file).sort();
  if (!install || files.join() !== 'index.js,index.mjs') {
    throw new Error(`the README must show one "npm install audit-trail …" line and two js blocks starting "// index.mjs" and "// index.js"; found ${files.join(', ') || 'none'}`);
  }
  return { install, apps };
}

/** Runs both README apps against the packed tarball, storing to databaseUrl. Throws on the first failure. */
export async function checkReadmeApps({ readmePath, tarballPath, databaseUrl }) {
  const { install, apps } = readmeApps(readFileSync(readmePath, 'utf8'));
  for (const { file, code } of apps) {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-trail-readme-'));
    try {
      execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' });
      const packages = install
        .split(/\s+/)
        .slice(2)
        .map((name) => (name === 'audit-trail' ? tarballPath : name));
      // sqlite3 would be compiled from source: the app stores to PostgreSQL here instead.
      execFileSync('npm', ['install', ...packages, '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
      writeFileSync(path.join(dir, file), code);
      await exercise(dir, file, databaseUrl);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function exercise(dir, file, databaseUrl) {
  const port = await freePort();
  const child = spawn('node', [file], { cwd: dir, env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const fail = (what) => new Error(`README ${file}: ${what}\n--- its output ---\n${output}`);
  try {
    await until(
      () => output.includes(`listening on ${port}`),
      START_TIMEOUT_MS,
      exited,
      () => fail('did not print "listening on <port>"'),
    );
    const base = `http://127.0.0.1:${port}`;
    const requestId = `readme-${file.replace('.', '-')}-${process.pid}`;
    const created = await fetch(`${base}/authors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-user': 'reader' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    if (created.status !== 201) throw fail(`POST /authors answered ${created.status}`);
    const metrics = await fetch(`${base}/metrics`);
    if (metrics.status !== 200 || !(await metrics.text()).includes('http_requests_total')) throw fail(`GET /metrics answered ${metrics.status} without http_requests_total`);
    const denied = await fetch(`${base}/audit-log`);
    if (denied.status !== 403) throw fail(`GET /audit-log without a reader answered ${denied.status}, not 403`);
    let row;
    await until(
      async () => {
        const response = await fetch(`${base}/audit-log?requestId=${requestId}`, { headers: { 'x-user': 'reader' } });
        row = response.status === 200 ? (await response.json()).data[0] : undefined;
        return row !== undefined;
      },
      ROW_TIMEOUT_MS,
      exited,
      () => fail(`no audit row for request ${requestId} within ${ROW_TIMEOUT_MS / 1000} s`),
    );
    if (row.actionType !== 'POST' || row.resource !== '/authors' || row.responseStatus !== 201 || row.username !== 'reader') {
      throw fail(`the audit row is not the request's: ${JSON.stringify(row)}`);
    }
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(20_000).then(() => 'still running 20 s after SIGTERM')]);
    if (code !== 0) throw fail(`exit after SIGTERM: ${code}`);
  } catch (error) {
    throw error.message.startsWith('README ') ? error : fail(error.message);
  } finally {
    child.kill('SIGKILL');
  }
}

/** Polls check until it holds; fails early if the app exits. */
async function until(check, timeoutMs, exited, failure) {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await sleep(100);
  }
  throw failure();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
