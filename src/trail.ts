import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { AuditEvent } from './capture/event.js';
import { CHANGES, type ChangeEvent } from './changes/change-event.js';
import { portableChanges } from './changes/change-model.js';
import { InFlightRequests } from './capture/in-flight.js';
import { resolveConfig, type AuditTrailConfig, type AuditTrailOptions } from './config.js';
import { AuditTrailError, messageOf } from './errors.js';
import { announceCheckpoint } from './integrity/announce.js';
import { SqliteChain } from './integrity/sqlite-chain.js';
import { monitorQueries } from './metrics/query-monitor.js';
import { readerOf, type TrailReader } from './query/reader.js';
import { startRetention } from './query/retention.js';
import { openRedis, type OpenedRedis } from './redis.js';
import { connectWithRetry, openDatabase } from './store/database.js';
import { useWriteAheadLog } from './store/write-ahead-log.js';
import { migrateToLatest } from './store/migrate.js';
import { defineModels } from './store/models.js';
import { Readiness } from './store/readiness.js';
import type { Store } from './store/store.js';
import { Telemetry } from './telemetry.js';
import { DropLog } from './writer/drop-log.js';
import { POSTGRES_USER_ACTIONS, USER_ACTIONS, type EntryKind } from './writer/entry-kind.js';
import { portablePath } from './writer/portable-path.js';
import type { RowWriter } from './writer/row-writer.js';
import { rowTextOf } from './writer/row-text.js';
import { closeOnSignals } from './writer/signals.js';
import { SpillFile } from './writer/spill.js';
import { newEventId } from './writer/event-id.js';
import { Writer } from './writer/writer.js';
import { WorkerRowWriter } from './writer/worker/worker-row-writer.js';
import { workerSettings } from './writer/worker/worker-settings.js';

const TRAIL_BRAND = Symbol.for('audit-trail.trail');

/** True for an object made by createAuditTrail, whichever copy of the package made it. */
function isAuditTrail(value: unknown): value is AuditTrail {
  return typeof value === 'object' && value !== null && TRAIL_BRAND in value;
}

/** A trail, or the one a mount's middleware carries as `.trail`; undefined for anything else. */
export function trailOf(value: unknown): AuditTrail | undefined {
  if (isAuditTrail(value)) return value;
  const carried = typeof value === 'function' || (typeof value === 'object' && value !== null) ? (value as { trail?: unknown }).trail : undefined;
  return isAuditTrail(carried) ? carried : undefined;
}

/** The framework-neutral core: one per database, shared by every mount. */
export interface AuditTrail extends TrailReader {
  readonly [TRAIL_BRAND]: true;
  readonly config: AuditTrailConfig;
  /**
   * Resolves when the database answers and every pending migration has run. Rejects once the first connection
   * attempts have failed; the trail keeps trying in the background and heals (a later call resolves).
   */
  ready(): Promise<void>;
  /**
   * Queues one event for writing; never waits on I/O. In strict mode it returns a promise that resolves
   * once the event is durable; under `onOverflow: 'block'`, one that resolves once the queue took it.
   */
  record(event: AuditEvent, eventId?: string): void | Promise<void>;
  /** Queues one model change (src/changes/) for `user_action_changes`; never waits, never throws. */
  recordChange(change: ChangeEvent): void;
  /** Resolves when everything recorded so far is stored. */
  flush(): Promise<void>;
  /**
   * Within closeTimeoutMs: lets the requests under way finish and be recorded, writes what is queued and
   * spills the rest, then releases only what the trail opened itself. Events recorded later go straight
   * to the spill file, for the next start to replay.
   */
  close(): Promise<void>;
  /** The database and our models, once ready. */
  store(): Promise<Store>;
  /** The configured Redis client, if any. */
  redis(): Redis | undefined;
  /** Events recorded but not yet stored. */
  queueDepth(): number;
  /** What the trail reports as it works; the metrics route listens here. */
  readonly telemetry: Telemetry;
  /** Requests the mounts have begun and not yet recorded; close() waits for them. */
  readonly inFlight: InFlightRequests;
}

export function createAuditTrail(options: AuditTrailOptions = {}): AuditTrail {
  const config = resolveConfig(options);
  const { logger } = config;
  const database = openDatabase(config);
  const models = defineModels(database.sequelize);
  const stopping = new AbortController();
  if (config.partitioning && database.sequelize.getDialect() !== 'postgres') {
    throw new AuditTrailError('invalid_option', 'partitioning needs PostgreSQL; this trail writes to SQLite. See docs/partitioning.md.');
  }
  const prepare = async (): Promise<Store> => {
    await useWriteAheadLog(database, logger);
    await migrateToLatest(database.sequelize, logger, config.migrationLockTimeoutMs, config.partitioning);
    return { sequelize: database.sequelize, models };
  };
  const readiness = new Readiness({
    first: connectWithRetry(database, config, stopping.signal).then(prepare),
    attempt: () => database.sequelize.authenticate({ logging: false }).then(prepare),
    label: database.label,
    retryDelayMs: config.connectRetryDelayMs,
    logger,
    signal: stopping.signal,
    // A process that died with events in the spill directory left them for this one; and whatever this
    // one spilled while the database was away goes now, not at the end of the writer's backoff.
    onReady: () => {
      rowWorker?.warm();
      writer.resume();
      changeWriter.resume();
    },
  });
  const started = () => readiness.store();

  const telemetry = new Telemetry();
  const queryMonitor = monitorQueries(database.sequelize, { telemetry, logger, slowQueryMs: config.slowQueryMs });
  const drops = new DropLog(logger, telemetry);
  const postgres = database.sequelize.getDialect() === 'postgres';
  // PostgreSQL rows are written by a thread of their own; SQLite's single connection stays on this one.
  const { integrity } = config;
  const chain = integrity && { signingKeyPem: integrity.signingKeyPem, checkpointEvery: integrity.checkpointEvery };
  const onCheckpoint = integrity ? integrity.onCheckpoint : undefined;
  const rowWorker = postgres ? new WorkerRowWriter(workerSettings(database.sequelize, config.writeConcurrency, chain), queryMonitor.report, logger, onCheckpoint) : undefined;
  // SQLite's chain is appended on this thread, by both writers, on one schedule of checkpoints.
  const sqliteChain = !postgres && chain ? new SqliteChain(database.sequelize, chain, (checkpoint) => announceCheckpoint(onCheckpoint, checkpoint, logger)) : undefined;
  /** One kind of row's writer: its own queue and spill directory, the same durability. */
  function writerOf<E>(kind: EntryKind<E>, writeWith: (store: Store) => RowWriter<E>, spillDir: string, strict: boolean): Writer<E> {
    let writeRows: RowWriter<E> | undefined;
    // Every write waits for readiness: rejected while the database is away, so the writer's outage handling applies.
    const write: RowWriter<E> = async (entries) => (writeRows ??= writeWith(await started()))(entries);
    return new Writer(
      { write, kind, logger, drops },
      {
        ...config,
        strict,
        // Until the trail has been ready once, an outage may be a database that never comes: keep events on disk.
        spillInOutage: () => !readiness.ready,
        maxInFlight: postgres ? config.writeConcurrency : 1,
        maxRetryDelayMs: 30_000,
        logger,
        telemetry,
        spill: new SpillFile(spillDir, logger, telemetry, kind.revive),
        drops,
      },
    );
  }
  const strict = config.mode === 'strict';
  /** A writer of requests' rows, whichever form it holds them in, and how an event joins it. */
  function recorderOf<E>(writer: Writer<E>, formOf: (event: AuditEvent) => E) {
    const record = (event: AuditEvent, id = newEventId()) => {
      let form: E;
      try {
        form = formOf(event);
      } catch (error) {
        drops.unwritable(id, USER_ACTIONS.describe(event), messageOf(error));
        return;
      }
      return writer.record(form, id);
    };
    return { writer: writer as Writer<unknown>, record };
  }
  // PostgreSQL trails hold a request's row as its text from record() on (src/writer/row-text.ts).
  const requests = rowWorker
    ? recorderOf(
        writerOf(POSTGRES_USER_ACTIONS, () => rowWorker.write, config.spillDir, strict),
        rowTextOf,
      )
    : recorderOf(
        writerOf(USER_ACTIONS, (ready) => portablePath(ready.models, sqliteChain), config.spillDir, strict),
        (event) => event,
      );
  const { writer } = requests;
  // Changes never hold a response, so they are never strict; they spill beside the requests' segments.
  const changeWriter = writerOf(CHANGES, (ready) => rowWorker?.writeChanges ?? portableChanges(ready.sequelize, sqliteChain), path.join(config.spillDir, 'changes'), false);
  let redis: OpenedRedis | undefined;
  let redisOpened = false;
  let closing: Promise<void> | undefined;
  // Prune's checkpoint at the chain's new start is signed with the trail's key, unless the caller passes another.
  const signingKey = integrity ? integrity.signingKeyPem : undefined;
  const { retention: pruning, partitioning } = config;
  const retention = (pruning || partitioning) && startRetention(started, { retention: pruning, partitioning, telemetry }, logger, signingKey);
  const reader = readerOf(started);

  const trail: AuditTrail = {
    [TRAIL_BRAND]: true,
    config,
    telemetry,
    inFlight: new InFlightRequests(),
    ready: async () => {
      await readiness.awaitReady();
    },
    record(event, eventId) {
      if (telemetry.listenerCount('recorded') > 0) telemetry.emit('recorded', { outcome: event.outcome });
      return requests.record(event, eventId);
    },
    recordChange(change) {
      void changeWriter.record(change);
    },
    // After this turn's end, when the requests that completed in it are recorded (RequestCapture.end).
    flush: () => new Promise(setImmediate).then(() => Promise.all([writer.flush(), changeWriter.flush()])).then(() => {}),
    queueDepth: () => writer.depth + changeWriter.depth,
    store: started,
    ...reader,
    prune: (options) => reader.prune({ signingKey, ...options }),
    redis() {
      if (!redisOpened) redis = openRedis(config.redis, logger);
      redisOpened = true;
      return redis?.client;
    },
    close() {
      closing ??= (async () => {
        const deadline = performance.now() + config.closeTimeoutMs;
        stopping.abort();
        await trail.inFlight.settled(config.closeTimeoutMs);
        await retention?.stop();
        await Promise.all([writer, changeWriter].map((each) => each.close(Math.max(0, deadline - performance.now()))));
        await rowWorker?.close();
        await sqliteChain?.close();
        if (redis?.owned) redis.client.disconnect();
        queryMonitor.stop();
        await readiness.settled; // a connection or migration under way finishes before the pool closes
        if (database.owned) await database.sequelize.close();
      })().finally(() => telemetry.emit('closed'));
      return closing;
    },
  };
  if (config.handleSignals) closeOnSignals(() => trail.close(), logger);
  return trail;
}
