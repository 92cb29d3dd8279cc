import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseName } from '../../src/authors/authors-service.js';
import { countKey, countNamespace } from '../../src/authors/count-cache.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { rowOf } from '../support/rows.js';
import { AUTHORS_HOSTS, MOUNTS, type AuthorsHost } from './host-apps.js';

const database = useTestDatabase();

const READER = { sub: 'u-reader', preferred_username: 'reader', realm_access: { roles: ['get-authors'] } };
const EDITOR = {
  sub: 'u-editor',
  preferred_username: 'editor',
  resource_access: { 'authors-api': { roles: ['get-authors', 'create-author', 'update-author', 'delete-author'] } },
};

describe.each(AUTHORS_HOSTS)('authors router contract: $name', (adapter) => {
  let trail: AuditTrail;
  let sequelize: Sequelize;
  let host: AuthorsHost;
  let redis: Redis;
  const sql: string[] = [];

  beforeAll(async () => {
    trail = createAuditTrail({ database: database.url, redis: inject('redisUrl'), logger: false, flushIntervalMs: 20 });
    await trail.ready();
    ({ sequelize } = await trail.store());
    sequelize.addHook('afterQuery', (_options, query) => void sql.push((query as unknown as { sql: string }).sql));
    host = await adapter.start(trail);
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await host.close();
    await trail.close();
    redis.disconnect();
  });

  interface Sent {
    status: number;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads any field of the JSON it got
    body: any;
    headers: Headers;
    requestId: string;
  }

  async function send(method: string, path: string, options: { json?: unknown; raw?: string; type?: string | null; user?: object } = {}): Promise<Sent> {
    const requestId = randomUUID();
    const headers: Record<string, string> = { 'x-request-id': requestId };
    const type = options.type === undefined ? 'application/json' : options.type;
    if (type !== null && (options.json !== undefined || options.raw !== undefined)) headers['content-type'] = type;
    if (options.user) headers['x-test-user'] = JSON.stringify(options.user);
    const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
    const response = await fetch(`${host.url}${path}`, { method, headers, body });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') ?? false;
    return { status: response.status, body: json ? JSON.parse(text) : undefined, headers: response.headers, requestId };
  }

  /** Authors whose names share a fresh token, so each case lists only its own rows. */
  async function seed(count: number): Promise<{ token: string; ids: number[] }> {
    const token = `t${randomUUID().slice(0, 8)}`;
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push((await send('POST', MOUNTS.plain, { json: { name: `${token} author ${i}` } })).body.id);
    return { token, ids };
  }

  const list = (query: string, mount: string = MOUNTS.plain) => send('GET', `${mount}?${query}`);
  const countQueries = () => sql.filter((statement) => /\bcount\(/i.test(statement)).length;

  it('A01 creates, reads, renames and deletes an author, bare {id, name} with a Location header', async () => {
    const created = await send('POST', MOUNTS.plain, { json: { name: '  Ursula K. Le Guin  ' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name: 'Ursula K. Le Guin' });
    expect(created.headers.get('location')).toBe(`${MOUNTS.plain}/${created.body.id}`);
    const url = `${MOUNTS.plain}/${created.body.id}`;
    expect(await send('GET', url)).toMatchObject({ status: 200, body: created.body });
    const renamed = await send('PUT', url, { json: { name: 'Octavia E. Butler', id: 999 } });
    expect(renamed).toMatchObject({ status: 200, body: { id: created.body.id, name: 'Octavia E. Butler' } });
    expect((await send('GET', url)).body.name).toBe('Octavia E. Butler');
    const deleted = await send('DELETE', url);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(await send('GET', url)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('A02 works behind the host body parser too, and the Location follows the mount path', async () => {
    const created = await send('POST', MOUNTS.parsed, { json: { name: 'Parsed' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${MOUNTS.parsed}/${created.body.id}`);
    expect((await send('PUT', `${MOUNTS.parsed}/${created.body.id}`, { json: { name: 'Parsed again' } })).body.name).toBe('Parsed again');
  });

  it('A03 lists a page with meta, filtered by exact name or by case-insensitive search', async () => {
    const { token, ids } = await seed(3);
    const page = await list(`search=${token.toUpperCase()}&per_page=2`);
    expect(page.status).toBe(200);
    expect(page.body.data).toEqual([
      { id: ids[0], name: `${token} author 0` },
      { id: ids[1], name: `${token} author 1` },
    ]);
    expect(page.body.meta).toEqual({ page: 1, per_page: 2, total: 3, pages: 2, has_more: true, next_cursor: expect.any(String) });
    const exact = await list(`name=${encodeURIComponent(`${token} author 2`)}`);
    expect(exact.body.data).toEqual([{ id: ids[2], name: `${token} author 2` }]);
    expect(exact.body.meta.total).toBe(1);
    expect((await list(`name=${token}`)).body.meta.total).toBe(0);
  });

  it('A04 escapes % and _ in search', async () => {
    const token = `t${randomUUID().slice(0, 8)}`;
    await send('POST', MOUNTS.plain, { json: { name: `${token} 100% _real_` } });
    await send('POST', MOUNTS.plain, { json: { name: `${token} 100x areal` } });
    expect((await list(`search=${encodeURIComponent(`${token} 100%`)}`)).body.meta.total).toBe(1);
    expect((await list(`search=${encodeURIComponent('_real_')}&name=${encodeURIComponent(`${token} 100% _real_`)}`)).body.meta.total).toBe(1);
    expect((await list(`search=${encodeURIComponent(`${token} 100_ a`)}`)).body.meta.total).toBe(0);
  });

  it('A05 pagination edges: the last page, a page past the end, per_page 1000 and 1001', async () => {
    const { token, ids } = await seed(5);
    const last = await list(`search=${token}&per_page=2&page=3`);
    expect(last.body.data.map((a: { id: number }) => a.id)).toEqual([ids[4]]);
    expect(last.body.meta).toEqual({ page: 3, per_page: 2, total: 5, pages: 3, has_more: false, next_cursor: null });
    const past = await list(`search=${token}&per_page=2&page=4`);
    expect(past.status).toBe(200);
    expect(past.body).toEqual({ data: [], meta: { page: 4, per_page: 2, total: 5, pages: 3, has_more: false, next_cursor: null } });
    const widest = await list(`search=${token}&per_page=1000`);
    expect(widest.status).toBe(200);
    expect(widest.body.data).toHaveLength(5);
    const tooWide = await list('per_page=1001');
    expect(tooWide).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', message: expect.stringContaining('per_page') } } });
  });

  it('A06 skip_count answers total and pages 0 and still says whether more follow', async () => {
    const { token } = await seed(3);
    const before = countQueries();
    const page = await list(`search=${token}&per_page=2&skip_count=true`);
    expect(page.body.meta).toMatchObject({ total: 0, pages: 0, has_more: true });
    expect(countQueries()).toBe(before);
  });

  it('A07 cursor pagination is stable while rows are inserted', async () => {
    const { token, ids } = await seed(6);
    const seen: number[] = [];
    let query = `search=${token}&per_page=2&skip_count=true`;
    for (let round = 0; round < 10; round++) {
      const page = await list(query);
      expect(page.status).toBe(200);
      expect(page.body.meta.page).toBe(round === 0 ? 1 : null);
      seen.push(...page.body.data.map((a: { id: number }) => a.id));
      if (round < 2) await send('POST', MOUNTS.plain, { json: { name: `${token} late ${round}` } });
      // Rows inserted before the first page must not shift the pages that follow either.
      if (!page.body.meta.has_more) break;
      query = `search=${token}&per_page=2&skip_count=true&cursor=${page.body.meta.next_cursor}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.slice(0, 6)).toEqual(ids);
    expect(seen).toHaveLength(8);
  });

  it('A08 caches the count under <prefix><database>:count:author:<hash> with a TTL of at most 300 s', async () => {
    const { token } = await seed(2);
    expect((await list(`search=${token}`)).body.meta.total).toBe(2);
    const key = countKey(countNamespace('audit-trail:', databaseName(sequelize), 'author'), { search: token });
    expect(key).toMatch(new RegExp(`^audit-trail:${databaseName(sequelize)}:count:author:[0-9a-f]+$`));
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('A09 the second list of the same filters does not run COUNT', async () => {
    const { token } = await seed(2);
    const first = countQueries();
    expect((await list(`search=${token}`)).body.meta.total).toBe(2);
    expect(countQueries()).toBe(first + 1);
    expect((await list(`search=${token}&page=1`)).body.meta.total).toBe(2);
    expect(countQueries()).toBe(first + 1);
  });

  it('A10 create, rename and delete change total at once', async () => {
    const { token, ids } = await seed(2);
    const total = async () => (await list(`search=${token}`)).body.meta.total;
    expect(await total()).toBe(2);
    expect(await total()).toBe(2); // now cached
    await send('POST', MOUNTS.plain, { json: { name: `${token} new` } });
    expect(await total()).toBe(3);
    await send('PUT', `${MOUNTS.plain}/${ids[0]}`, { json: { name: 'renamed away' } });
    expect(await total()).toBe(2);
    await send('DELETE', `${MOUNTS.plain}/${ids[1]}`);
    expect(await total()).toBe(1);
  });

  it('A11 concurrent creates of the same name are all accepted, as documented', async () => {
    const name = `same ${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => send('POST', MOUNTS.plain, { json: { name } })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(8);
    expect((await list(`name=${encodeURIComponent(name)}`)).body.meta.total).toBe(8);
  });

  it.each([
    ['abc', 400, 'invalid_id'],
    ['1.5', 400, 'invalid_id'],
    ['1e3', 400, 'invalid_id'],
    ['0', 404, 'not_found'],
    ['-1', 404, 'not_found'],
    ['2147483648', 404, 'not_found'],
    ['99999999999999999999', 404, 'not_found'],
    ['2147483647', 404, 'not_found'],
  ])('A12 id %s on GET, PUT and DELETE gives %i %s', async (id, status, code) => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await send(method, `${MOUNTS.plain}/${id}`, method === 'PUT' ? { json: { name: 'x' } } : {});
      expect({ method, status: response.status, code: response.body?.error?.code }).toEqual({ method, status, code });
    }
  });

  it.each([
    ['malformed JSON', { raw: '{"name": ' }, 400, 'invalid_body'],
    ['an empty body', { raw: '' }, 400, 'invalid_body'],
    ['an array', { json: ['x'] }, 400, 'invalid_body'],
    ['a string', { json: 'x' }, 400, 'invalid_body'],
    ['null', { raw: 'null' }, 400, 'invalid_body'],
    ['a missing name', { json: {} }, 400, 'invalid_body'],
    ['a number name', { json: { name: 5 } }, 400, 'invalid_body'],
    ['a null name', { json: { name: null } }, 400, 'invalid_body'],
    ['a blank name', { json: { name: '   ' } }, 400, 'invalid_body'],
    ['a 256-character name', { json: { name: 'x'.repeat(256) } }, 400, 'invalid_body'],
    ['a NUL in the name', { json: { name: 'a\u0000b' } }, 400, 'invalid_body'],
    ['a text/plain body', { raw: '{"name":"x"}', type: 'text/plain' }, 415, 'unsupported_media_type'],
    ['no content type', { raw: '{"name":"x"}', type: null }, 415, 'unsupported_media_type'],
    ['a form body', { raw: 'name=x', type: 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
  ] as const)('A13 POST and PUT with %s are refused, with and without a host body parser', async (_label, options, status, code) => {
    const { ids } = await seed(1);
    for (const mount of [MOUNTS.plain, MOUNTS.parsed]) {
      for (const [method, path] of [
        ['POST', mount],
        ['PUT', `${mount}/${ids[0]}`],
      ] as const) {
        const response = await send(method, path, options);
        // A strict host parser refuses malformed JSON, bare strings and null itself, before the route runs.
        if (mount === MOUNTS.parsed && status === 400 && response.body?.error === undefined) {
          expect(response.status).toBe(400);
          continue;
        }
        expect({ mount, method, status: response.status, error: response.body?.error }).toEqual({
          mount,
          method,
          status,
          error: { code, message: expect.any(String) },
        });
      }
    }
  });

  it('A14b lone surrogates in a name are stored as U+FFFD, and the response says what was stored', async () => {
    // JSON.stringify escapes a lone surrogate as \ud800, which is what a client sends.
    const created = await send('POST', MOUNTS.plain, { json: { name: 'a\ud800b\udc00c' } });
    expect(created).toMatchObject({ status: 201, body: { name: 'a\ufffdb\ufffdc' } });
    expect((await send('GET', `${MOUNTS.plain}/${created.body.id}`)).body.name).toBe('a\ufffdb\ufffdc');
    const renamed = await send('PUT', `${MOUNTS.plain}/${created.body.id}`, { json: { name: '\udfffz\ud83d\ude00' } });
    expect(renamed.body.name).toBe('\ufffdz\ud83d\ude00'); // a proper pair, an emoji, is kept
    expect((await send('GET', `${MOUNTS.plain}/${created.body.id}`)).body.name).toBe('\ufffdz\ud83d\ude00');
  });

  it('A14 a 255-character name is accepted and an oversized body is refused with 413', async () => {
    expect((await send('POST', MOUNTS.plain, { json: { name: 'é'.repeat(255) } })).status).toBe(201);
    const huge = await send('POST', MOUNTS.plain, { json: { name: 'x', padding: 'y'.repeat(100_000) } });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
  });

  it.each([
    'per_page=0',
    'per_page=abc',
    'per_page=1001',
    'page=0',
    'page=-1',
    'page=1.5',
    'page=',
    'page=1&page=2',
    'skip_count=yes',
    'perpage=50',
    'cursor=not-a-cursor',
    'cursor=eyJhZnRlciI6MX0&page=2',
    `search=${'x'.repeat(256)}`,
    'name=a%00b',
  ])('A15 GET /?%s gives 400 invalid_query', async (query) => {
    expect(await list(query)).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', message: expect.any(String) } } });
  });

  it('A16 unknown query parameters are refused on every route', async () => {
    const { ids } = await seed(1);
    expect(await send('GET', `${MOUNTS.plain}/${ids[0]}?expand=books`)).toMatchObject({ status: 400, body: { error: { code: 'invalid_query' } } });
    expect(await send('DELETE', `${MOUNTS.plain}/${ids[0]}?force=1`)).toMatchObject({ status: 400 });
  });

  it('A17 role checks: 401 without a user, 403 without the role (audited as permission_denied), 200 with it', async () => {
    expect(await list('', MOUNTS.guarded)).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    const denied = await send('POST', MOUNTS.guarded, { json: { name: 'nope' }, user: READER });
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'forbidden', message: expect.stringContaining('create-author') } } });
    await trail.flush();
    expect(await rowOf(sequelize, denied.requestId)).toMatchObject({ outcome: 'permission_denied', response_status: 403, username: 'reader' });
    expect((await send('GET', `${MOUNTS.guarded}?per_page=1`, { user: READER })).status).toBe(200);
    const created = await send('POST', MOUNTS.guarded, { json: { name: 'allowed' }, user: EDITOR });
    expect(created.status).toBe(201);
    expect((await send('DELETE', `${MOUNTS.guarded}/${created.body.id}`, { user: READER })).status).toBe(403);
    expect((await send('DELETE', `${MOUNTS.guarded}/${created.body.id}`, { user: EDITOR })).status).toBe(204);
  });

  it('A18 the audit row carries the route template and the body the router parsed', async () => {
    const created = await send('POST', MOUNTS.plain, { json: { name: 'Audited', password: 'hunter2' } });
    const read = await send('GET', `${MOUNTS.plain}/${created.body.id}`);
    await trail.flush();
    expect((await rowOf(sequelize, created.requestId)).request_data).toMatchObject({
      route: MOUNTS.plain,
      body: { name: 'Audited', password: '[REDACTED]' },
    });
    expect(await rowOf(sequelize, read.requestId)).toMatchObject({
      resource: `${MOUNTS.plain}/${created.body.id}`,
      request_data: { route: `${MOUNTS.plain}/:id` },
    });
  });

  it('A19 paths and methods that are not routes go on to the host', async () => {
    expect((await send('PATCH', `${MOUNTS.plain}/1`, { json: { name: 'x' } })).status).toBe(404);
    expect((await send('GET', `${MOUNTS.plain}/1/books`)).status).toBe(404);
    expect((await send('GET', '/authorsx')).status).toBe(404);
  });
});
