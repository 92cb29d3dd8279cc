import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { POSTGRES_CANONICAL_LINE, SQLITE_CANONICAL_SELECT, sqliteCanonicalLine } from '../../src/integrity/canonical.js';
import { jsonbText } from '../../src/integrity/jsonb-text.js';
import { useTestDatabase } from '../support/database.js';
import { sqliteUrl } from '../support/seed-actions.js';
import { chainedTrail, change, event, select, selectSqlite } from './support.js';

const database = useTestDatabase();

/** JSON values whose jsonb text is easy to get wrong: key order, spacing, number text, escapes. */
const AWKWARD_JSON: unknown[] = [
  // Equal in UTF-8 length, '\uff61a' sorts before '😀' by bytes, after it by UTF-16 code units.
  { b: 1, aa: 2, a: 3, é: 4, ab: 5, 'a b': 6, '': 7, z: { y: [], x: {} }, '😀': 8, '\uff61a': 9 },
  [0, -0, 1.5, 0.1, 1e21, 1.2345e25, 1e-7, -1.5e-10, 5e-324, 1.7976931348623157e308, 123456789012345680000, -42],
  { text: 'quote " backslash \\ slash / tab\t newline\n cr\r bell\u0007 del\u007f', unicode: 'é ü 中文 😀 \u2028 \u00a0', 'kéy "q"': null, t: true, f: false },
  'a scalar string',
  12.5,
  null,
  [],
  {},
  { nested: [{ b: [1, { d: 'x', c: 'y' }], a: null }] },
];

const AWKWARD_TEXT = ['quote " backslash \\ slash /', 'tab\tnewline\ncr\r bell\u0007 del\u007f', 'é ü 中文 😀 \u2028 \u00a0', '<script>&amp;</script>', "it's"];

/** Events with NULLs, awkward text, times on either side of a second, and awkward JSON bodies. */
function awkwardEvents(): Array<[string, AuditEvent]> {
  const times = ['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.001Z', '1999-12-31T23:59:59.999Z', '2026-06-30T12:00:00.123Z'];
  return AWKWARD_JSON.map((body, i) => {
    const text = AWKWARD_TEXT[i % AWKWARD_TEXT.length]!;
    const nulls = i % 2 === 0;
    return [
      randomUUID(),
      {
        ...event(i, nulls ? null! : `awkward-${i}`),
        timestamp: new Date(times[i % times.length]!),
        username: text,
        userRoles: i === 0 ? [] : [text, 'reader'],
        resource: `/authors/${i}?q=${text}`,
        ipAddress: nulls ? null : '2001:db8::1',
        userAgent: nulls ? null : text,
        requestId: nulls ? null : `awkward-${i}`,
        requestData: i === 5 ? null : JSON.stringify(body),
        responseStatus: nulls ? null : 201,
        errorMessage: nulls ? null : text,
        durationMs: nulls ? null : i,
      },
    ];
  });
}

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
