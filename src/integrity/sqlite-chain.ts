import { QueryTypes, type Sequelize } from 'sequelize';
import { ChainAppender, type ChainSettings } from './appender.js';
import { BatchDigest, type ChainedTable } from './canonical.js';
import { GENESIS_HASH, linkHash } from './chain.js';
import type { Checkpoint } from './checkpoint.js';
import { ForetoldRows } from './foretold-rows.js';
import { selectValues, sqliteRows, type SqliteConnection } from './sqlite-source.js';

/**
 * Sequelize's SQLite dialect caches a connection per `uuid` and keeps it open, while a transaction opens a
 * new one each time (a cold page cache for every batch, which cost the chain a third of the writer's
 * rows/s). Queries given this uuid, and `transaction: null` so that no CLS transaction of the host's
 * claims them, all run on the chain's own connection.
 */
const CHAIN_CONNECTION = { uuid: 'audit-trail-chain', transaction: null } as const;

/** A wait for another process's (or prune's) write lock, before the batch is failed and retried. */
const BUSY_TIMEOUT_MS = 10_000;

/** Inserts a batch's rows through Sequelize with `options` (the chain's connection), each with `batch` in `chain_seq`. */
export type InsertBatch = (options: typeof CHAIN_CONNECTION, batch: number) => Promise<unknown>;

/** A batch's rows as bulkCreate is given them, keyed by column, `chain_seq` aside. */
export type BatchRows = ReadonlyArray<Readonly<Record<string, unknown>>>;

interface ConnectionManager {
  getConnection(options: { uuid: string }): Promise<SqliteConnection & { filename: string; configure(option: 'busyTimeout', ms: number): void; close(done: () => void): void }>;
  connections: Record<string, unknown>;
}

/**
 * The chain on a SQLite file, for the writer on the host's thread. Its batches, of both tables, take turns
 * on its connection; each is one IMMEDIATE transaction, which takes SQLite's write lock at its start and
 * so serializes writers of other processes too: it reads the head, inserts the rows with the next seq as
 * their batch number, reads back the ids and keys of exactly the rows it inserted (ids above the highest
 * before it), hashes their canonical lines as the verifier will make them (foretold from the values
 * inserted, or the rows read back in full: foretold-rows.ts), and appends the link. A batch whose rows were
 * all stored before adds no link.
 */
export class SqliteChain {
  private readonly appender: ChainAppender;
  private readonly manager: ConnectionManager;
  private turn: Promise<unknown> = Promise.resolve();
  private opened = false;

  constructor(
    private readonly sequelize: Sequelize,
    settings: ChainSettings,
    private readonly announce: (checkpoint: Checkpoint) => void,
  ) {
    this.appender = new ChainAppender(settings);
    this.manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  }

  /** Stores `rows`, which `insert` inserts, and their link. */
  store(table: ChainedTable, rows: BatchRows, insert: InsertBatch): Promise<void> {
    const stored = this.turn.then(async () => {
      const checkpoint = await this.appender.append(
        () => this.link(table, rows, insert),
        (sql) => this.sequelize.query(sql, CHAIN_CONNECTION),
      );
      if (checkpoint) this.announce(checkpoint);
    });
    this.turn = stored.catch(() => {});
    return stored;
  }

  /** Closes the chain's connection (a host's Sequelize outlives the trail); the writers have stopped. */
  async close(): Promise<void> {
    await this.turn;
    if (!this.opened) return;
    const connection = await this.manager.getConnection(CHAIN_CONNECTION);
    // An in-memory database has one connection for every uuid, Sequelize's own: it closes that itself.
    if (connection.filename === ':memory:') return;
    await new Promise<void>((done) => connection.close(done));
    delete this.manager.connections[CHAIN_CONNECTION.uuid];
  }

  private async link(table: ChainedTable, batchRows: BatchRows, insert: InsertBatch): Promise<{ seq: number; hash: string } | undefined> {
    // Before the lock: what only the values take.
    const foretold = ForetoldRows.of(table, batchRows);
    const connection = await this.manager.getConnection(CHAIN_CONNECTION);
    if (!this.opened) connection.configure('busyTimeout', BUSY_TIMEOUT_MS);
    this.opened = true;
    const run = (sql: string, replacements?: Record<string, unknown>) => this.sequelize.query(sql, { ...CHAIN_CONNECTION, replacements });
    await run('BEGIN IMMEDIATE');
    try {
      const [[before, headSeq, headHash]] = (await selectValues(
        connection,
        `SELECT (SELECT coalesce(max(id), 0) FROM ${table}), (SELECT max(seq) FROM audit_chain), (SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1)`,
      )) as [[number, number | null, string | null]];
      // One writer at a time holds the lock, so the link's seq can number its batch too.
      const seq = (headSeq ?? 0) + 1;
      const prevHash = headHash ?? GENESIS_HASH;
      await insert(CHAIN_CONNECTION, seq);
      const rows = (await foretold?.stored(connection, before, seq)) ?? (await sqliteRows(connection, table, before, Number.MAX_SAFE_INTEGER));
      let link: { seq: number; hash: string } | undefined;
      if (rows.length > 0) {
        const digest = new BatchDigest();
        for (const [, , line] of rows) digest.addLine(line);
        const hex = digest.hex();
        link = { seq, hash: linkHash(prevHash, seq, rows.length, hex, table) };
        const [firstId, lastId] = [Number(rows[0]![0]), Number(rows.at(-1)![0])];
        await this.sequelize.query(
          `INSERT INTO audit_chain (seq, batch, row_table, row_count, digest, prev_hash, hash, first_id, last_id, created_at)
           VALUES (:seq, :seq, :table, :count, :digest, :prevHash, :hash, :firstId, :lastId, :createdAt)`,
          {
            ...CHAIN_CONNECTION,
            type: QueryTypes.INSERT,
            replacements: { seq, table, count: rows.length, digest: hex, prevHash, hash: link.hash, firstId, lastId, createdAt: new Date() },
          },
        );
      }
      await run('COMMIT');
      return link;
    } catch (error) {
      await run('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}
