import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { ChainAppender, type ChainSettings } from './appender.js';
import { BatchDigest, type ChainedTable } from './canonical.js';
import { GENESIS_HASH, linkHash } from './chain.js';
import type { Checkpoint } from './checkpoint.js';
import { connectionOf, selectValues, sqliteRows } from './sqlite-source.js';

/** Inserts a batch's rows in the transaction, each with `batch` in `chain_seq`, skipping those already stored. */
export type InsertBatch = (transaction: Transaction, batch: number) => Promise<unknown>;

/**
 * The chain on a SQLite file, for the writer on the host's thread. Each batch is one IMMEDIATE transaction,
 * which takes SQLite's write lock at its start and so serializes writers, of this process or another:
 * it reads the head, inserts the rows with the next seq as their batch number, reads back exactly the
 * rows it inserted (ids above the highest before it), hashes their canonical lines as the verifier
 * will, and appends the link. A batch whose rows were all stored before adds no link.
 */
export class SqliteChain {
  private readonly appender: ChainAppender;

  constructor(
    private readonly sequelize: Sequelize,
    settings: ChainSettings,
    private readonly announce: (checkpoint: Checkpoint) => void,
  ) {
    this.appender = new ChainAppender(settings);
  }

  async store(table: ChainedTable, insert: InsertBatch): Promise<void> {
    const checkpoint = await this.appender.append(
      () => this.sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, (transaction) => this.link(table, transaction, insert)),
      (sql) => this.sequelize.query(sql),
    );
    if (checkpoint) this.announce(checkpoint);
  }

  private async link(table: ChainedTable, transaction: Transaction, insert: InsertBatch): Promise<{ seq: number; hash: string } | undefined> {
    const connection = connectionOf(transaction);
    const [[before, headSeq, headHash]] = (await selectValues(
      connection,
      `SELECT (SELECT coalesce(max(id), 0) FROM ${table}), (SELECT max(seq) FROM audit_chain), (SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1)`,
    )) as [[number, number | null, string | null]];
    // One writer at a time holds the lock, so the link's seq can number its batch too.
    const seq = (headSeq ?? 0) + 1;
    const prevHash = headHash ?? GENESIS_HASH;
    await insert(transaction, seq);
    const rows = await sqliteRows(connection, table, before, Number.MAX_SAFE_INTEGER);
    if (rows.length === 0) return undefined;
    const digest = new BatchDigest();
    for (const [, , line] of rows) digest.addLine(line);
    const hex = digest.hex();
    const hash = linkHash(prevHash, seq, rows.length, hex, table);
    await this.sequelize.query(
      `INSERT INTO audit_chain (seq, batch, row_table, row_count, digest, prev_hash, hash, first_id, last_id, created_at)
       VALUES (:seq, :seq, :table, :count, :digest, :prevHash, :hash, :firstId, :lastId, :createdAt)`,
      {
        type: QueryTypes.INSERT,
        transaction,
        replacements: { seq, table, count: rows.length, digest: hex, prevHash, hash, firstId: Number(rows[0]![0]), lastId: Number(rows.at(-1)![0]), createdAt: new Date() },
      },
    );
    return { seq, hash };
  }
}
