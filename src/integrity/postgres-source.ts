import type pg from 'pg';
import type { Sequelize } from 'sequelize';
import { POSTGRES_BATCH_DIGEST, POSTGRES_CANONICAL_LINE } from './canonical.js';
import type { Checkpoint } from './checkpoint.js';
import { LINK_COLUMNS, toLink, type ChainSource, type StoredDigest, type StoredRow } from './source.js';

interface ConnectionManager {
  getConnection(options: { type: 'read' | 'write' }): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

/**
 * Runs `work` over one REPEATABLE READ snapshot of the primary, on two connections borrowed from
 * Sequelize's pool, the second one importing the first one's snapshot: rows and links committed together
 * are seen together, and a writer still appending is not. Pages of rows alternate between the two, so
 * that two backends work on them at once. Rows come back as text arrays, with no parsing into objects.
 */
export async function withPostgresSource<T>(sequelize: Sequelize, work: (source: ChainSource) => Promise<T>): Promise<T> {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const clients: pg.Client[] = [];
  const select = async (text: string, values: unknown[] = [], client = clients[0]!) => (await client.query({ text, values, rowMode: 'array' })).rows as Array<Array<string | null>>;
  let pages = 0;
  try {
    // A pool of one connection (the host's Sequelize may have one) reads every page on it.
    const width = Math.min(2, sequelize.config.pool?.max ?? 2);
    for (let i = 0; i < width; i++) clients.push(await manager.getConnection({ type: 'write' }));
    await clients[0]!.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [[snapshot]] = (await select('SELECT pg_export_snapshot()')) as [[string]];
    for (const client of clients.slice(1)) await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshot}'`);
    for (const client of clients) await client.query(SORT_MEMORY);
    const result = await work({
      links: async (afterSeq, limit) => (await select(`SELECT ${LINK} FROM audit_chain WHERE seq > $1 ORDER BY audit_chain.seq LIMIT $2`, [afterSeq, limit])).map(toLink),
      linksByPlace: async (table, afterFirstId, reachingId, limit) =>
        (
          await select(`SELECT ${LINK} FROM audit_chain WHERE row_table = $1 AND first_id > $2 AND last_id >= $3 ORDER BY audit_chain.first_id LIMIT $4`, [
            table,
            afterFirstId,
            reachingId,
            limit,
          ])
        ).map(toLink),
      linkOfBatch: async (batch) => (await select(`SELECT ${LINK} FROM audit_chain WHERE batch = $1`, [batch])).map(toLink)[0],
      rows: (table, afterId, throughId) =>
        select(
          `SELECT id::text, chain_seq::text, ${POSTGRES_CANONICAL_LINE[table]} || E'\\n' FROM ${table} WHERE id > $1 AND id <= $2 ORDER BY ${table}.id`,
          [afterId, throughId],
          clients[pages++ % clients.length],
        ) as unknown as Promise<StoredRow[]>,
      digests: (table, afterId, throughId) =>
        select(
          `SELECT chain_seq::text, count(*)::text, min(id)::text, max(id)::text, ${POSTGRES_BATCH_DIGEST}
           FROM (SELECT id, chain_seq, CASE WHEN chain_seq IS NOT NULL THEN ${POSTGRES_CANONICAL_LINE[table]} END AS line FROM ${table} WHERE id > $1 AND id <= $2) stored
           GROUP BY chain_seq`,
          [afterId, throughId],
          clients[pages++ % clients.length],
        ) as unknown as Promise<StoredDigest[]>,
      lastRowId: async (table) => Number((await select(`SELECT coalesce(max(id), 0)::text FROM ${table}`))[0]![0]),
      checkpoints: async () =>
        (
          await select(
            `SELECT seq::text, hash, to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), signature FROM audit_checkpoints ORDER BY audit_checkpoints.seq, id`,
          )
        ).map(([seq, hash, signedAt, signature]): Checkpoint => ({ seq: Number(seq), hash: hash!, signedAt: signedAt!, signature: signature ?? null })),
    });
    for (const client of clients) await client.query('COMMIT');
    return result;
  } catch (error) {
    for (const client of clients) await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    for (const client of clients) await manager.releaseConnection(client);
  }
}

/**
 * A page's rows are sorted by batch number before their batches are hashed: with the default work_mem
 * (4MB) the sort of a 10,000-row page goes to disk. Raised to 16MB for this transaction only, never lowered.
 */
const SORT_MEMORY = `SELECT set_config('work_mem', greatest(setting::bigint, 16384)::text || 'kB', true) FROM pg_settings WHERE name = 'work_mem'`;

const LINK = LINK_COLUMNS.map((name) => `${name}::text`).join(', ');
