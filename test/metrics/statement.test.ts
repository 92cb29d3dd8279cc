import { describe, expect, it } from 'vitest';
import { loggableStatement, operationOf, STATEMENT_LOG_LIMIT } from '../../src/metrics/statement.js';

describe('operationOf', () => {
  it.each([
    ['SELECT 1', 'RAW', 'select'],
    ['  select * from "author"', undefined, 'select'],
    ['INSERT INTO "user_actions" ("id") VALUES (DEFAULT)', 'INSERT', 'insert'],
    ['(SELECT 1) UNION (SELECT 2)', 'RAW', 'select'],
    ['/* hint */ UPDATE "author" SET "name"=$1', 'UPDATE', 'update'],
    ['-- why\nDELETE FROM "user_actions"', 'BULKDELETE', 'delete'],
    ['WITH doomed AS (SELECT id FROM t) DELETE FROM t USING doomed', 'BULKDELETE', 'delete'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'RAW', 'other'],
    ['CREATE TABLE t (id int)', 'RAW', 'other'],
    ['SELECT pg_advisory_lock(1)', 'SELECT', 'select'],
    ['', 'SHOWTABLES', 'other'],
  ])('%j (%s) is %s', (sql, type, expected) => {
    expect(operationOf(sql, type)).toBe(expected);
  });
});

describe('loggableStatement', () => {
  it('replaces string, dollar-quoted and numeric literals, and keeps identifiers and bind placeholders', () => {
    const sql = `SELECT "t1"."name", pg_sleep(0.25) FROM "table2" AS "t1" WHERE "email" = 'o''brien@example.com' AND "n" > 42 AND "body" = $tag$s3cret$tag$ AND "id" = $1 LIMIT 10;`;
    expect(loggableStatement(sql)).toBe(`SELECT "t1"."name", pg_sleep(?) FROM "table2" AS "t1" WHERE "email" = ? AND "n" > ? AND "body" = ? AND "id" = $1 LIMIT ?;`);
  });

  it('keeps quoted identifiers that contain quotes or digits', () => {
    expect(loggableStatement('SELECT "a""b", "2fa" FROM x')).toBe('SELECT "a""b", "2fa" FROM x');
  });

  it(`cuts the statement at ${STATEMENT_LOG_LIMIT} characters`, () => {
    const logged = loggableStatement(`SELECT ${'x, '.repeat(400)}y FROM t`);
    expect(logged).toHaveLength(STATEMENT_LOG_LIMIT + 1);
    expect(logged.endsWith('…')).toBe(true);
  });
});

describe('loggableStatement on multi-line SQL', () => {
  it('prints the statement on one line', () => {
    expect(loggableStatement("INSERT INTO t (a)\nSELECT *\n  FROM unnest($1::text[])\nWHERE b = 'x'")).toBe('INSERT INTO t (a) SELECT * FROM unnest($1::text[]) WHERE b = ?');
  });
});
