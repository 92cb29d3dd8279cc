import { Transaction, type Sequelize } from 'sequelize';
import { BatchDigest, SQLITE_CANONICAL_SELECT, sqliteCanonicalLine, type ChainedTable } from './canonical.js';
import type { Checkpoint } from './checkpoint.js';
import { LINK_COLUMNS, toLink, type ChainSource, type StoredDigest, type StoredRow } from './source.js';

/** The sqlite3 driver's connection, as much of it as is read here. */
export interface SqliteConnection {
  all(sql: string, params: unknown[], callback: (error: Error | null, rows: Array<Record<string, unknown>>) => void): void;
}

/** A transaction's own connection: Sequelize opens one per transaction on a SQLite file. */
function connectionOf(transaction: Transaction): SqliteConnection {
  return (transaction as unknown as { connection: SqliteConnection }).connection;
}

/** Rows as arrays of their values, in select-list order, with no parsing by Sequelize. */
export function selectValues(connection: SqliteConnection, sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return new Promise((resolve, reject) => connection.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows.map((row) => Object.values(row))))));
}

/** `table`'s rows with ids above `afterId`, at most `throughId`, in id order: what the writer hashes and the verifier reads. */
export async function sqliteRows(connection: SqliteConnection, table: ChainedTable, afterId: number, throughId: number): Promise<StoredRow[]> {
  const rows = await selectValues(connection, `SELECT ${SQLITE_CANONICAL_SELECT[table]} FROM ${table} WHERE id > ? AND id <= ? ORDER BY id`, [afterId, throughId]);
  return rows.map((values): StoredRow => {
    const chainSeq = values.at(-1);
    return [String(values[0]), chainSeq === null ? null : String(chainSeq), sqliteCanonicalLine(table, values)];
  });
}

/**
 * What the rows of a range make, per batch number, as PostgreSQL's digests() returns it; SQLite cannot
 * hash, so the rows are read and hashed here, in id order.
 */
async function sqliteDigests(connection: SqliteConnection, table: ChainedTable, afterId: number, throughId: number): Promise<StoredDigest[]> {
  const batches = new Map<string | null, { count: number; firstId: string; lastId: string; digest: BatchDigest | undefined }>();
  for (const [id, chainSeq, line] of await sqliteRows(connection, table, afterId, throughId)) {
    let batch = batches.get(chainSeq);
    if (!batch) batches.set(chainSeq, (batch = { count: 0, firstId: id, lastId: id, digest: chainSeq === null ? undefined : new BatchDigest() }));
    batch.count++;
    batch.lastId = id;
    batch.digest?.addLine(line);
  }
  return [...batches].map(([chainSeq, { count, firstId, lastId, digest }]) => [chainSeq, String(count), firstId, lastId, digest?.hex() ?? null]);
}

const LINK = LINK_COLUMNS.join(', ');

/**
 * Runs `work` inside one read transaction on a connection of its own: its snapshot holds from the first
 * page to the last, so rows and links committed together are seen together. In SQLite's default
 * rollback-journal mode a writer's commit waits for it to end (Sequelize retries SQLITE_BUSY).
 */
export function withSqliteSource<T>(sequelize: Sequelize, work: (source: ChainSource) => Promise<T>): Promise<T> {
  return sequelize.transaction({ type: Transaction.TYPES.DEFERRED }, (transaction) => {
    const connection = connectionOf(transaction);
    const select = (sql: string, params: unknown[] = []) => selectValues(connection, sql, params);
    return work({
      links: async (afterSeq, limit) => (await select(`SELECT ${LINK} FROM audit_chain WHERE seq > ? ORDER BY seq LIMIT ?`, [afterSeq, limit])).map(toLink),
      linksByPlace: async (table, afterFirstId, reachingId, limit) =>
        (
          await select(`SELECT ${LINK} FROM audit_chain WHERE row_table = ? AND first_id > ? AND last_id >= ? ORDER BY first_id LIMIT ?`, [table, afterFirstId, reachingId, limit])
        ).map(toLink),
      linkOfBatch: async (batch) => (await select(`SELECT ${LINK} FROM audit_chain WHERE batch = ?`, [batch])).map(toLink)[0],
      rows: (table, afterId, throughId) => sqliteRows(connection, table, afterId, throughId),
      digests: (table, afterId, throughId) => sqliteDigests(connection, table, afterId, throughId),
      lastRowId: async (table) => Number((await select(`SELECT coalesce(max(id), 0) FROM ${table}`))[0]![0]),
      checkpoints: async () =>
        (await select(`SELECT seq, hash, strftime('%Y-%m-%dT%H:%M:%fZ', signed_at), signature FROM audit_checkpoints ORDER BY seq, id`)).map(
          ([seq, hash, signedAt, signature]): Checkpoint => ({
            seq: Number(seq),
            hash: hash as string,
            signedAt: signedAt as string,
            signature: (signature as string | null) ?? null,
          }),
        ),
    });
  });
}
