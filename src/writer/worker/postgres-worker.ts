// The worker thread's entry point: it owns its PostgreSQL connections and runs each batch's INSERT, so
// that neither building the statement's parameters nor the driver's work runs on the host's thread.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import type { Checkpoint } from '../../integrity/checkpoint.js';
import { ChainAppender } from '../../integrity/appender.js';
import { isDataError } from '../data-error.js';
import { CHANGES_CHAINED_INSERT, CHANGES_INSERT, changesDocumentOf } from '../../changes/postgres-insert.js';
import { CHAINED_INSERT, documentOf, INSERT, WRITE_TIMEOUT_MS } from '../postgres-fast-path.js';
import { toWire, type FromWorker, type ToWorker, type WorkerSettings } from './protocol.js';

const port = parentPort!;
const settings = workerData as WorkerSettings;
const pool = new pg.Pool({
  ...(settings.connection as pg.PoolConfig),
  max: settings.maxConnections,
  keepAlive: true,
  connectionTimeoutMillis: WRITE_TIMEOUT_MS,
});
// An idle connection the server dropped surfaces here; the next write opens a fresh one.
pool.on('error', () => {});
const chain = settings.chain && new ChainAppender(settings.chain);

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') void pool.end().finally(() => port.close());
  // Model changes (src/changes/) go to their own table, in the same chain.
  else if (message.type === 'changes') void write(message.id, (client) => store(client, CHANGES_INSERT, CHANGES_CHAINED_INSERT, changesDocumentOf(message.rows)));
  else void write(message.id, (client) => store(client, INSERT, CHAINED_INSERT, documentOf(message.idsAndRows)));
});

/** A batch's one statement: the rows alone (`plain`, chain off), or (`chained`) the rows and their chain link in one transaction. */
function store(client: pg.PoolClient, plain: string, chained: string, document: string): Promise<Checkpoint | undefined> {
  if (!chain) return client.query({ text: plain, values: [document], query_timeout: WRITE_TIMEOUT_MS } as pg.QueryConfig).then(() => undefined);
  return chain.append(
    async () => {
      const inserted = await client.query({ text: chained, values: [document], rowMode: 'array', query_timeout: WRITE_TIMEOUT_MS } as pg.QueryConfig);
      const link = inserted.rows[0] as [string, string] | undefined;
      return link && { seq: Number(link[0]), hash: link[1] };
    },
    (sql) => client.query(sql),
  );
}

/** `run` builds the statement's parameter inside the try: a value it cannot encode fails that batch, as a data error. */
async function write(id: number, run: (client: pg.PoolClient) => Promise<Checkpoint | undefined>): Promise<void> {
  const started = performance.now();
  let reply: FromWorker;
  try {
    const client = await pool.connect();
    let checkpoint: Checkpoint | undefined;
    try {
      checkpoint = await run(client);
      client.release();
    } catch (error) {
      // A connection that failed mid-statement may still be busy or half-closed: never lend it again.
      client.release(isDataError(error) ? undefined : (error as Error));
      throw error;
    }
    reply = { id, durationMs: performance.now() - started, ...(checkpoint ? { checkpoint } : {}) };
  } catch (error) {
    reply = { id, durationMs: performance.now() - started, error: toWire(error) };
  }
  port.postMessage(reply);
}
