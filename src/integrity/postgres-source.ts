import type pg from 'pg';
import type { Sequelize } from 'sequelize';
import { POSTGRES_CANONICAL_SELECT } from './canonical.js';
import type { ChainLink } from './chain.js';
import type { Checkpoint } from './checkpoint.js';
import type { CanonicalRow, ChainSource } from './source.js';

interface ConnectionManager {
  getConnection(options: { type: 'read' | 'write' }): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

/**
 * Runs `work` over one REPEATABLE READ snapshot of the primary, on a connection borrowed from
 * Sequelize's pool: rows and links committed together are seen together, and a writer still
 * appending is not. Rows come back as text arrays, with no parsing into objects.
 */
export async function withPostgresSource<T>(sequelize: Sequelize, work: (source: ChainSource) => Promise<T>): Promise<T> {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const client = await manager.getConnection({ type: 'write' });
  const select = async (text: string, values: unknown[] = []) => (await client.query({ text, values, rowMode: 'array' })).rows as Array<Array<string | null>>;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await work({
      links: async (afterSeq, limit) => (await select(`SELECT ${LINK} FROM audit_chain WHERE seq > $1 ORDER BY audit_chain.seq LIMIT $2`, [afterSeq, limit])).map(toLink),
      linksByPlace: async (afterFirstId, reachingId, limit) =>
        (await select(`SELECT ${LINK} FROM audit_chain WHERE first_id > $1 AND last_id >= $2 ORDER BY audit_chain.first_id LIMIT $3`, [afterFirstId, reachingId, limit])).map(
          toLink,
        ),
      linkOfBatch: async (batch) => (await select(`SELECT ${LINK} FROM audit_chain WHERE batch = $1`, [batch])).map(toLink)[0],
      rows: (afterId, throughId) =>
        select(`SELECT ${POSTGRES_CANONICAL_SELECT} FROM user_actions WHERE id > $1 AND id <= $2 ORDER BY user_actions.id`, [afterId, throughId]) as Promise<CanonicalRow[]>,
      lastRowId: async () => Number((await select('SELECT coalesce(max(id), 0)::text FROM user_actions'))[0]![0]),
      checkpoints: async () =>
        (
          await select(
            `SELECT seq::text, hash, to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), signature FROM audit_checkpoints ORDER BY audit_checkpoints.seq, id`,
          )
        ).map(([seq, hash, signedAt, signature]): Checkpoint => ({ seq: Number(seq), hash: hash!, signedAt: signedAt!, signature: signature ?? null })),
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await manager.releaseConnection(client);
  }
}

const LINK = 'seq::text, batch::text, row_count::text, digest, prev_hash, hash, first_id::text, last_id::text';

function toLink([seq, batch, rowCount, digest, prevHash, hash, firstId, lastId]: Array<string | null>): ChainLink {
  return {
    seq: Number(seq),
    batch: Number(batch),
    rowCount: Number(rowCount),
    digest: digest!,
    prevHash: prevHash!,
    hash: hash!,
    firstId: Number(firstId),
    lastId: Number(lastId),
  };
}
