import { createPrivateKey, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { LOCK_KEYS } from '../store/advisory-lock.js';
import { BatchDigest } from './canonical.js';
import { GENESIS_HASH, linkHash } from './chain.js';
import { checkpointInsert, CheckpointSchedule, signCheckpoint, type Checkpoint } from './checkpoint.js';

/** What the writer thread needs to chain and sign: plain values, so they cross the thread boundary. */
export interface ChainSettings {
  readonly signingKeyPem: string | undefined;
  readonly checkpointEvery: { readonly batches: number; readonly seconds: number };
}

/**
 * Stores a batch's rows with `seq`, the next link's number, and resolves to their canonical values
 * (POSTGRES_CANONICAL_SELECT): exactly the rows this statement inserted, none that were already stored.
 */
export type ChainedInsert = (seq: number) => Promise<string[][]>;

/**
 * Appends batches to the one chain, from however many connections, threads and processes: the
 * transaction-scoped advisory lock makes each batch read the head, insert its rows and add its link
 * alone, and releases at COMMIT or ROLLBACK, so a writer that dies mid-batch leaves no half link.
 */
export class PostgresChain {
  private readonly key: KeyObject | undefined;
  private readonly schedule: CheckpointSchedule | undefined;

  constructor(
    settings: ChainSettings,
    private readonly lockTimeoutMs: number,
  ) {
    this.key = settings.signingKeyPem === undefined ? undefined : createPrivateKey(settings.signingKeyPem);
    this.schedule = this.key && new CheckpointSchedule(settings.checkpointEvery);
  }

  /** One transaction: the rows and their link, or nothing. Resolves to the checkpoint signed with it, if one was due. */
  async append(client: pg.ClientBase, insert: ChainedInsert): Promise<Checkpoint | undefined> {
    try {
      const opened = await client.query(
        `BEGIN; SET LOCAL lock_timeout = ${Math.trunc(this.lockTimeoutMs)}; SELECT pg_advisory_xact_lock(${LOCK_KEYS.chain});
         SELECT seq::text AS seq, hash FROM audit_chain ORDER BY audit_chain.seq DESC LIMIT 1`,
      );
      const head = (opened as unknown as pg.QueryResult[]).at(-1)!.rows[0] as { seq: string; hash: string } | undefined;
      const seq = head ? Number(head.seq) + 1 : 1;
      const rows = await insert(seq);
      // A retried batch whose rows all landed before: no link over zero rows.
      if (rows.length === 0) {
        await client.query('COMMIT');
        return undefined;
      }
      rows.sort((a, b) => Number(a[0]) - Number(b[0]));
      const digest = new BatchDigest();
      for (const row of rows) digest.add(row);
      const prevHash = head?.hash ?? GENESIS_HASH;
      const digestHex = digest.hex();
      const hash = linkHash(prevHash, seq, rows.length, digestHex);
      const checkpoint = this.schedule?.due() ? signCheckpoint(seq, hash, this.key) : undefined;
      // Every value below is digits, hex, base64 or an ISO time made here: safe as literals, and one round trip with COMMIT.
      const statements = [
        `INSERT INTO audit_chain (seq, row_count, digest, prev_hash, hash, first_id, last_id, created_at)
         VALUES (${seq}, ${rows.length}, '${digestHex}', '${prevHash}', '${hash}', ${rows[0]![0]}, ${rows.at(-1)![0]}, now())`,
      ];
      if (checkpoint) statements.push(checkpointInsert(checkpoint));
      statements.push('COMMIT');
      await client.query(statements.join(';\n'));
      return checkpoint;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}
