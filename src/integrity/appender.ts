import { createPrivateKey, type KeyObject } from 'node:crypto';
import { checkpointInsert, CheckpointSchedule, signCheckpoint, type Checkpoint } from './checkpoint.js';

/** What a writer needs to chain and sign: plain values, so they cross the thread boundary. */
export interface ChainSettings {
  readonly signingKeyPem: string | undefined;
  readonly checkpointEvery: { readonly batches: number; readonly seconds: number };
}

/** Stores a batch's rows and their link in one transaction, and resolves to the link, or undefined when it stored no row. */
export type LinkedWrite = () => Promise<{ seq: number; hash: string } | undefined>;

/**
 * Signs the chain's head on schedule, whichever dialect stores the batches: on PostgreSQL each batch is
 * one statement (src/integrity/chained-insert.ts), on SQLite one IMMEDIATE transaction
 * (src/integrity/sqlite-chain.ts). Either way a writer that dies mid-batch leaves neither rows nor a link.
 */
export class ChainAppender {
  private readonly key: KeyObject | undefined;
  private readonly schedule: CheckpointSchedule | undefined;

  constructor(settings: ChainSettings) {
    this.key = settings.signingKeyPem === undefined ? undefined : createPrivateKey(settings.signingKeyPem);
    this.schedule = this.key && new CheckpointSchedule(settings.checkpointEvery);
  }

  /** Stores the batch, then (`store`) the checkpoint signed after it if one was due, and resolves to that checkpoint. */
  async append(write: LinkedWrite, store: (sql: string) => Promise<unknown>): Promise<Checkpoint | undefined> {
    const link = await write();
    if (!link || !this.schedule?.due()) return undefined;
    const checkpoint = signCheckpoint(link.seq, link.hash, this.key);
    // After the link's commit, on its own: a crash in between loses this checkpoint, never the batch.
    await store(checkpointInsert(checkpoint));
    return checkpoint;
  }
}
