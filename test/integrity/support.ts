import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { QueryTypes, Sequelize } from 'sequelize';
import type { AuditEvent } from '../../src/capture/event.js';
import { BatchDigest, POSTGRES_CANONICAL_SELECT } from '../../src/integrity/canonical.js';
import { GENESIS_HASH, linkHash } from '../../src/integrity/chain.js';
import type { ChangeEvent } from '../../src/changes/change-event.js';
import { createAuditTrail, type AuditTrailOptions } from '../../src/index.js';
import type { VerifyOptions } from '../../src/integrity/verify.js';

export const KEYS = generateKeyPairSync('ed25519');
export const PRIVATE_PEM = KEYS.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
export const PUBLIC_PEM = KEYS.publicKey.export({ format: 'pem', type: 'spki' }).toString();

export function event(i: number, requestId = `req-${i}`): AuditEvent {
  return {
    timestamp: new Date(),
    userId: `user-${i % 7}`,
    username: `someone-${i % 7}`,
    userRoles: ['reader'],
    actionType: i % 3 === 0 ? 'POST' : 'GET',
    resource: `/authors/${i}`,
    outcome: 'success',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 integrity-test',
    requestId,
    requestData: JSON.stringify({ body: { name: 'Ada', n: i }, query: {} }),
    responseStatus: 200,
    errorMessage: null,
    durationMs: 3,
  };
}

export function change(i: number): ChangeEvent {
  return {
    timestamp: new Date(),
    eventId: null,
    requestId: `req-${i}`,
    userId: `user-${i % 7}`,
    username: `someone-${i % 7}`,
    model: 'Invoice',
    tableName: 'Invoices',
    recordId: String(i),
    operation: 'update',
    changes: JSON.stringify({ amount: [i, i + 1], note: ['', 'é "quoted"'] }),
  };
}

/** JSON values whose jsonb text is easy to get wrong: key order, spacing, number text, escapes. */
export const AWKWARD_JSON: unknown[] = [
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
export function awkwardEvents(): Array<[string, AuditEvent]> {
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

/** A trail on `url` with the chain on, its own spill directory and small batches, so that a few events make several links. */
export function chainedTrail(url: string, options: AuditTrailOptions = {}) {
  return createAuditTrail({
    database: url,
    logger: false,
    spillDir: mkdtempSync(path.join(tmpdir(), 'audit-integrity-')),
    batchSize: 10,
    flushIntervalMs: 10,
    integrity: true,
    ...options,
  });
}

/** verify() on `url` through a trail of its own, checking signatures with the test key. */
export async function verify(url: string, options: VerifyOptions = {}) {
  const trail = chainedTrail(url);
  try {
    return await trail.verify({ publicKey: PUBLIC_PEM, ...options });
  } finally {
    await trail.close();
  }
}

/** Records `count` events, `perTick` at a time so that batches fill as they would under load, and waits until stored. */
export async function writeEvents(url: string, count: number, options: AuditTrailOptions = {}, prefix = 'req'): Promise<void> {
  const trail = chainedTrail(url, options);
  try {
    await trail.ready();
    for (let i = 0; i < count; i++) {
      trail.record(event(i, `${prefix}-${i}`));
      if (i % 10 === 9) await trail.flush();
    }
    await trail.flush();
  } finally {
    await trail.close();
  }
}

const PROTECTED = ['user_actions', 'user_action_changes', 'audit_chain', 'audit_checkpoints'];

/** Runs statements as the database owner would, the append-only triggers switched off around them. */
export async function asOwner(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const table of PROTECTED) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    for (const sql of statements) await client.query(sql);
    for (const table of PROTECTED) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
  } finally {
    await client.end();
  }
}

export async function select<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The same on a SQLite file: its append-only triggers dropped around the statements, then made again as they were. */
export async function asSqliteOwner(file: string, statements: string[]): Promise<void> {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
  try {
    const triggers = await sequelize.query<{ name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`, { type: QueryTypes.SELECT });
    for (const { name } of triggers) await sequelize.query(`DROP TRIGGER ${name}`);
    for (const sql of statements) await sequelize.query(sql);
    for (const { sql } of triggers) await sequelize.query(sql);
  } finally {
    await sequelize.close();
  }
}

export async function selectSqlite<T extends object>(file: string, sql: string): Promise<T[]> {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
  try {
    return await sequelize.query<T>(sql, { type: QueryTypes.SELECT });
  } finally {
    await sequelize.close();
  }
}

/** What an attacker without the key does: recompute every user_actions batch's digest and every link from the stored rows, in Node. */
export async function rechain(url: string): Promise<void> {
  const rows = await selectArrays(url, `SELECT ${POSTGRES_CANONICAL_SELECT.user_actions} FROM user_actions ORDER BY user_actions.id`);
  const links = await selectArrays(url, 'SELECT seq::text, batch::text FROM audit_chain ORDER BY audit_chain.seq');
  const statements: string[] = [];
  let prev = GENESIS_HASH;
  for (const [seq, batch] of links) {
    const digest = new BatchDigest();
    for (const row of rows.filter((r) => r.at(-1) === batch)) digest.add(row);
    const hex = digest.hex();
    const hash = linkHash(prev, Number(seq), digest.count, hex, 'user_actions');
    statements.push(`UPDATE audit_chain SET row_count = ${digest.count}, digest = '${hex}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${seq}`);
    prev = hash;
  }
  await asOwner(url, statements);
}

async function selectArrays(url: string, sql: string): Promise<string[][]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query({ text: sql, rowMode: 'array' })).rows as string[][];
  } finally {
    await client.end();
  }
}
