// The Express and Koa examples are twins: the same routes answer the same way, run as a user runs them
// (`npm run example`, `npm run example:koa`), on the embedded SQLite default in a scratch directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const root = path.resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe.each([
  { name: 'Express', file: 'examples/express/server.ts' },
  { name: 'Koa', file: 'examples/koa/server.ts' },
])('the $name example', ({ file }) => {
  let child: ChildProcess;
  let url: string;
  const work = mkdtempSync(path.join(tmpdir(), 'audit-trail-example-'));

  beforeAll(async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') };
    // The embedded default in the scratch directory, and no shared Redis to leave count keys in.
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.METRICS_PASSWORD;
    const tsx = import.meta.resolve('tsx');
    child = spawn(process.execPath, ['--import', tsx, path.join(root, file)], { cwd: work, env, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = createInterface({ input: child.stdout! });
    for await (const line of lines) if (line.includes(`http://localhost:${port}`)) break;
    if (child.exitCode !== null) throw new Error(`${file} exited with ${child.exitCode} before listening`);
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(work, { recursive: true, force: true });
  });

  const as = (user: string) => ({ headers: { 'x-user': user } });

  /** Rows reach the database within flushIntervalMs: ask again until they are there. */
  async function eventually<T>(read: () => Promise<T[]>): Promise<T[]> {
    for (let attempt = 0; ; attempt++) {
      const rows = await read();
      if (rows.length > 0 || attempt === 50) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('X01 greets the user named by x-user', async () => {
    const response = await fetch(`${url}/hello`, as('acika'));
    expect(await response.json()).toEqual({ hello: 'acika' });
  });

  it('X02 lets an admin create an author and a reader list it', async () => {
    const created = await fetch(`${url}/authors`, {
      method: 'POST',
      headers: { 'x-user': 'admin', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ursula K. Le Guin' }),
    });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(`${url}/authors?search=le`, as('acika'))).json()) as { data: Array<{ name: string }> };
    expect(listed.data.map(({ name }) => name)).toContain('Ursula K. Le Guin');
    expect((await fetch(`${url}/authors`, { method: 'POST', headers: { 'x-user': 'acika', 'content-type': 'application/json' }, body: '{"name":"x"}' })).status).toBe(403);
  });

  it('X03 answers a thrown error with 500 and the request id', async () => {
    const response = await fetch(`${url}/boom`, { headers: { 'x-request-id': 'example-boom-1' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('example-boom-1');
  });

  it('X04 serves /audit-log to audit readers only, with what was recorded', async () => {
    expect((await fetch(`${url}/audit-log`, as('acika'))).status).toBe(403);
    const failed = await eventually(async () => {
      const page = (await (await fetch(`${url}/audit-log?requestId=example-boom-1`, as('admin'))).json()) as { data: Array<{ outcome: string }> };
      return page.data;
    });
    expect(failed).toMatchObject([{ outcome: 'error' }]);
    const viewer = await fetch(`${url}/as/admin`, { redirect: 'manual' });
    expect(viewer.status).toBe(302);
    expect(viewer.headers.get('location')).toBe('/audit-log/');
    expect(viewer.headers.get('set-cookie')).toMatch(/^x-user=admin;/);
  });

  it('X05 publishes the metrics and shows the recent rows', async () => {
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('audit_events_total');
    const recent = await eventually(async () => (await (await fetch(`${url}/recent`)).json()) as unknown[]);
    expect(recent.length).toBeGreaterThan(0);
  });

  it('X07 tracks the authors model: a created author shows in /recent-changes', async () => {
    const name = `Octavia ${Date.now()}`;
    const created = await fetch(`${url}/authors`, { method: 'POST', headers: { 'x-user': 'admin', 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    expect(created.status).toBe(201);
    type Change = { model: string; operation: string; changes: string | { name?: string } };
    const nameOf = ({ changes }: Change) => (typeof changes === 'string' ? (JSON.parse(changes) as { name?: string }) : changes).name;
    const changes = await eventually(async () => ((await (await fetch(`${url}/recent-changes`)).json()) as Change[]).filter((change) => nameOf(change) === name));
    expect(changes).toMatchObject([{ model: 'AuditTrailAuthor', operation: 'create' }]);
  });

  /** One request over the example's /ws as user, in the reference design's shape; resolves to the reply. */
  async function overWebSocket(user: string, request: object): Promise<{ req_id: string; status_code: number; data: unknown }> {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers: { 'x-user': user } });
    await once(socket, 'open');
    socket.send(JSON.stringify(request));
    const [reply] = await once(socket, 'message');
    socket.close();
    return JSON.parse(String(reply));
  }

  it('X06 answers /ws in the reference shape, by role, and records each message', async () => {
    const created = await overWebSocket('admin', { pkg_id: 3, req_id: 'ws-create', data: { name: 'Octavia E. Butler' } });
    expect(created).toMatchObject({ req_id: 'ws-create', status_code: 0, data: { name: 'Octavia E. Butler' } });
    expect(await overWebSocket('acika', { pkg_id: 3, req_id: 'ws-denied', data: { name: 'x' } })).toMatchObject({ status_code: 3 });
    const rows = await eventually(async () => {
      const page = (await (await fetch(`${url}/audit-log?actionType=WS:CREATE_AUTHOR`, as('admin'))).json()) as { data: Array<{ outcome: string; username: string }> };
      return page.data.length >= 2 ? page.data : [];
    });
    expect(rows.map(({ username, outcome }) => `${username} ${outcome}`).sort()).toEqual(['acika permission_denied', 'admin success']);
  });
});
