// The worker thread's entry point: it owns its PostgreSQL connections and runs each batch's INSERT, so
// that neither building the statement's parameters nor the driver's work runs on the host's thread.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { isDataError } from '../data-error.js';
import { CHANGES_INSERT, changesDocumentOf } from '../../changes/postgres-insert.js';
import { documentOf, INSERT, WRITE_TIMEOUT_MS } from '../postgres-fast-path.js';
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

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') void pool.end().finally(() => port.close());
  else if (message.type === 'changes') void write(message.id, CHANGES_INSERT, () => changesDocumentOf(message.rows));
  else void write(message.id, INSERT, () => documentOf(message.rows));
});

/** `document` builds the statement's parameter inside the try: a value it cannot encode fails that batch, as a data error. */
async function write(id: number, text: string, document: () => string): Promise<void> {
  const started = performance.now();
  let reply: FromWorker;
  try {
    const client = await pool.connect();
    try {
      await client.query({ text, values: [document()], query_timeout: WRITE_TIMEOUT_MS } as pg.QueryConfig);
      client.release();
    } catch (error) {
      // A connection that failed mid-statement may still be busy or half-closed: never lend it again.
      client.release(isDataError(error) ? undefined : (error as Error));
      throw error;
    }
    reply = { id, durationMs: performance.now() - started };
  } catch (error) {
    reply = { id, durationMs: performance.now() - started, error: toWire(error) };
  }
  port.postMessage(reply);
}
