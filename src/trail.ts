import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { AuditEvent } from './capture/event.js';
import { resolveConfig, type AuditTrailConfig, type AuditTrailOptions } from './config.js';
import { messageOf } from './errors.js';
import { monitorQueries } from './metrics/query-monitor.js';
import { readerOf, type TrailReader } from './query/reader.js';
import { startRetention } from './query/retention.js';
import { openRedis, type OpenedRedis } from './redis.js';
import { connectWithRetry, openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { defineModels, type Models } from './store/models.js';
import { Telemetry } from './telemetry.js';
import { DropLog } from './writer/drop-log.js';
import { portablePath } from './writer/portable-path.js';
import { closeOnSignals } from './writer/signals.js';
import { SpillFile } from './writer/spill.js';
import { Writer } from './writer/writer.js';
import { WorkerRowWriter } from './writer/worker/worker-row-writer.js';
import { workerSettings } from './writer/worker/worker-settings.js';

export interface Store {
  readonly sequelize: Sequelize;
  readonly models: Models;
}

const TRAIL_BRAND = Symbol.for('audit-trail.trail');

/** True for an object made by createAuditTrail, whichever copy of the package made it. */
export function isAuditTrail(value: unknown): value is AuditTrail {
  return typeof value === 'object' && value !== null && TRAIL_BRAND in value;
}

/** The framework-neutral core: one per database, shared by every mount. */
export interface AuditTrail extends TrailReader {
  readonly [TRAIL_BRAND]: true;
  readonly config: AuditTrailConfig;
  /** Resolves when the database answers and every pending migration has run. */
  ready(): Promise<void>;
  /**
   * Queues one event for writing; never waits on I/O. In strict mode it returns a promise that resolves
   * once the event is durable; under `onOverflow: 'block'`, one that resolves once the queue took it.
   */
  record(event: AuditEvent): void | Promise<void>;
  /** Resolves when everything recorded so far is stored. */
  flush(): Promise<void>;
  /** Stops intake, writes what is queued within closeTimeoutMs, spills the rest, then releases only what the trail opened itself. */
  close(): Promise<void>;
  /** The database and our models, once ready. */
  store(): Promise<Store>;
  /** The configured Redis client, if any. */
  redis(): Redis | undefined;
  /** Events recorded but not yet stored. */
  queueDepth(): number;
  /** What the trail reports as it works; the metrics route listens here. */
  readonly telemetry: Telemetry;
}

export function createAuditTrail(options: AuditTrailOptions = {}): AuditTrail {
  const config = resolveConfig(options);
  const { logger } = config;
  const database = openDatabase(config);
  const models = defineModels(database.sequelize);
  const stopping = new AbortController();
  const started = connectWithRetry(database, config, stopping.signal)
    .then(() => migrateToLatest(database.sequelize, logger, config.migrationLockTimeoutMs))
    .then((): Store => ({ sequelize: database.sequelize, models }));
  // Whoever awaits ready() sees the failure; nobody awaiting must not make it an unhandled rejection.
  started.catch((error: unknown) => {
    if (!stopping.signal.aborted) logger.error(`audit trail is not ready: ${messageOf(error)}`);
  });

  const telemetry = new Telemetry();
  const queryMonitor = monitorQueries(database.sequelize, { telemetry, logger, slowQueryMs: config.slowQueryMs });
  const drops = new DropLog(logger, telemetry);
  const postgres = database.sequelize.getDialect() === 'postgres';
  // PostgreSQL rows are written by a thread of their own; SQLite's single connection stays on this one.
  const rowWorker = postgres ? new WorkerRowWriter(workerSettings(database.sequelize, config.writeConcurrency), queryMonitor.report, logger) : undefined;
  const writeRows = started.then((store) => {
    rowWorker?.warm();
    return rowWorker?.write ?? portablePath(store.models);
  });
  writeRows.catch(() => {}); // reported once, by `started`
  const writer = new Writer(
    { write: async (entries) => (await writeRows)(entries), logger, drops },
    {
      ...config,
      strict: config.mode === 'strict',
      maxInFlight: postgres ? config.writeConcurrency : 1,
      maxRetryDelayMs: 30_000,
      logger,
      telemetry,
      spill: new SpillFile(config.spillDir, logger, telemetry),
      drops,
    },
  );
  // A process that died with events in the spill directory left them for this one.
  started.then(() => writer.replaySpilled(), () => {});
  let redis: OpenedRedis | undefined;
  let redisOpened = false;
  let closing: Promise<void> | undefined;
  const retention = config.retention && startRetention(() => started, config.retention, logger);

  const trail: AuditTrail = {
    [TRAIL_BRAND]: true,
    config,
    telemetry,
    ready: async () => {
      await started;
    },
    record(event) {
      if (closing) return drops.count('closed', 1);
      telemetry.emit('recorded', { outcome: event.outcome });
      return writer.record(event);
    },
    flush: () => writer.flush(),
    queueDepth: () => writer.depth,
    store: () => started,
    ...readerOf(() => started),
    redis() {
      if (!redisOpened) redis = openRedis(config.redis, logger);
      redisOpened = true;
      return redis?.client;
    },
    close() {
      closing ??= (async () => {
        stopping.abort();
        await retention?.stop();
        await writer.close(config.closeTimeoutMs);
        await rowWorker?.close();
        if (redis?.owned) redis.client.disconnect();
        queryMonitor.stop();
        await started.catch(() => {}); // a connection or migration under way finishes before the pool closes
        if (database.owned) await database.sequelize.close();
      })().finally(() => telemetry.emit('closed'));
      return closing;
    },
  };
  if (config.handleSignals) closeOnSignals(() => trail.close(), logger);
  return trail;
}
