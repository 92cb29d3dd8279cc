import { createPrivateKey, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { checkpointInsert, CheckpointSchedule, signCheckpoint, type Checkpoint } from './checkpoint.js';

/** What the writer thread needs to chain and sign: plain values, so they cross the thread boundary. */
export interface ChainSettings {
  readonly signingKeyPem: string | undefined;
  readonly checkpointEvery: { readonly batches: number; readonly seconds: number };
}

/** Runs the batch's one chained statement (CHAINED_INSERT) and resolves to its link, or undefined when it stored no row. */
export type ChainedInsert = () => Promise<{ seq: number; hash: string } | undefined>;

/**
 * Appends batches to the one chain, from however many connections, threads and processes. Each batch is
 * one statement, and so one transaction: its rows go in side by side with other batches', and only its
 * link is appended under the chain's advisory lock, which COMMIT or ROLLBACK releases. A writer that
 * dies mid-batch leaves neither rows nor a link behind.
 */
export class PostgresChain {
  private readonly key: KeyObject | undefined;
  private readonly schedule: CheckpointSchedule | undefined;

  constructor(settings: ChainSettings) {
    this.key = settings.signingKeyPem === undefined ? undefined : createPrivateKey(settings.signingKeyPem);
    this.schedule = this.key && new CheckpointSchedule(settings.checkpointEvery);
  }

  /** Stores the batch and resolves to the checkpoint signed after it, if one was due. */
  async append(client: pg.ClientBase, insert: ChainedInsert): Promise<Checkpoint | undefined> {
    const link = await insert();
    if (!link || !this.schedule?.due()) return undefined;
    const checkpoint = signCheckpoint(link.seq, link.hash, this.key);
    // After the link's commit, on its own: a crash in between loses this checkpoint, never the batch.
    await client.query(checkpointInsert(checkpoint));
    return checkpoint;
  }
}
