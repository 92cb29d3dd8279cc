import { describe, expect, it } from 'vitest';
import { POSTGRES_CANONICAL_LINE, SQLITE_CANONICAL_SELECT, sqliteCanonicalLine } from '../../src/integrity/canonical.js';
import { jsonbText } from '../../src/integrity/jsonb-text.js';
import { useTestDatabase } from '../support/database.js';
import { sqliteUrl } from '../support/seed-actions.js';
import { AWKWARD_JSON, awkwardEvents, chainedTrail, change, select, selectSqlite } from './support.js';

const database = useTestDatabase();

describe('one canonical form on PostgreSQL and SQLite', () => {
  it('J01 jsonbText writes a parsed JSON value as PostgreSQL writes jsonb::text', async () => {
    const texts = AWKWARD_JSON.map((value) => JSON.stringify(value));
    const rows = await select<{ text: string }>(
      database.url,
      `SELECT (value::jsonb)::text AS text FROM unnest(ARRAY[${texts.map((t) => `'${t.replaceAll("'", "''")}'`).join(', ')}]) WITH ORDINALITY AS t(value, n) ORDER BY n`,
    );
    expect(rows.map((row) => row.text)).toEqual(texts.map((text) => jsonbText(JSON.parse(text))));
  });

  it('K05 the same events and changes stored on each give the same lines, digests and link hashes', async () => {
    const events = awkwardEvents();
    const sqlite = sqliteUrl();
    const changes = AWKWARD_JSON.map((value, i) => ({ ...change(i), changes: JSON.stringify({ value }), recordId: i % 2 ? null : `r-${i}` }));
    for (const url of [database.url, sqlite]) {
      const trail = chainedTrail(url, { batchSize: 1000 });
      try {
        await trail.ready();
        for (const [id, awkward] of events) trail.record(awkward, id);
        await trail.flush();
        for (const each of changes) trail.recordChange(each);
        await trail.flush();
        expect((await trail.verify()).intact).toBe(true);
      } finally {
        await trail.close();
      }
    }
    const file = sqlite.slice('sqlite:'.length);
    const postgresLines = async (table: 'user_actions' | 'user_action_changes') =>
      (await select<{ line: string }>(database.url, `SELECT ${POSTGRES_CANONICAL_LINE[table]} || E'\\n' AS line FROM ${table} ORDER BY id`)).map((row) => row.line);
    const sqliteLines = async (table: 'user_actions' | 'user_action_changes') =>
      (await selectSqlite<Record<string, unknown>>(file, `SELECT ${SQLITE_CANONICAL_SELECT[table]} FROM ${table} ORDER BY id`)).map((row) =>
        sqliteCanonicalLine(table, Object.values(row)),
      );

    const requests = await postgresLines('user_actions');
    expect(requests).toHaveLength(events.length);
    expect(await sqliteLines('user_actions')).toEqual(requests);
    // Each change has an id of its own in each database: the rest of the line is the same.
    const withoutChangeId = (line: string) => JSON.stringify((JSON.parse(line) as unknown[]).toSpliced(1, 1));
    const changeLines = await postgresLines('user_action_changes');
    expect(changeLines).toHaveLength(changes.length);
    expect((await sqliteLines('user_action_changes')).map(withoutChangeId)).toEqual(changeLines.map(withoutChangeId));

    const link = 'SELECT seq, batch, row_count, digest, hash FROM audit_chain WHERE seq = 1';
    const [onPostgres] = await select<Record<string, unknown>>(database.url, link);
    const [onSqlite] = await selectSqlite<Record<string, unknown>>(file, link);
    expect(onSqlite).toEqual({ seq: 1, batch: 1, row_count: events.length, digest: onPostgres!.digest, hash: onPostgres!.hash });
  });
});
