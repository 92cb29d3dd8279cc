import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITOR } from '../query/audit-log-hosts.js';
import { useTestDatabase } from '../support/database.js';
import { MOUNT, startViewerHost } from './viewer-host.js';

const database = useTestDatabase();
let host: Awaited<ReturnType<typeof startViewerHost>>;

beforeAll(async () => {
  host = await startViewerHost(database.url);
  for (let i = 0; i < 30; i++) await fetch(`${host.server.url}/orders/${i}`, { headers: { 'x-request-id': randomUUID() } });
  await host.trail.flush();
});
afterAll(() => host?.close());

const chain = async () => (await fetch(`${host.server.url}${MOUNT}/chain`, { headers: { 'x-test-user': JSON.stringify(AUDITOR) } })).json();

describe('GET <mount>/chain, the chain status the viewer shows', () => {
  it('V10 answers the chain recomputed: intact, with its links and rows', async () => {
    expect(await chain()).toMatchObject({ available: true, intact: true, links: expect.any(Number), rows: expect.any(Number) });
    expect((await chain()).links).toBeGreaterThan(0);
  });

  it('V11 names the break once a database owner edits a stored row behind the triggers', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('ALTER TABLE user_actions DISABLE TRIGGER user_actions_append_only');
      await client.query("UPDATE user_actions SET user_agent = 'edited' WHERE id = (SELECT min(id) FROM user_actions WHERE chain_seq IS NOT NULL)");
      await client.query('ALTER TABLE user_actions ENABLE TRIGGER user_actions_append_only');
    } finally {
      await client.end();
    }
    expect(await chain()).toMatchObject({ available: true, intact: false, finding: { kind: 'modified' } });
  });

  it('V12 is behind authorize like every audit-log route', async () => {
    const denied = await fetch(`${host.server.url}${MOUNT}/chain`, { headers: { 'x-test-user': JSON.stringify({ sub: 'nobody' }) } });
    expect(denied.status).toBe(403);
  });
});
