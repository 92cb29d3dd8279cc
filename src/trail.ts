import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { AuditEvent } from './capture/event.js';
import { resolveConfig, type AuditTrailConfig, type AuditTrailOptions } from './config.js';
import { messageOf } from './errors.js';
import { readerOf, type TrailReader } from './query/reader.js';
import { startRetention } from './query/retention.js';
import { openRedis, type OpenedRedis } from './redis.js';
import { connectWithRetry, openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { defineModels, type Models } from './store/models.js';
import { toRow } from './store/user-action-row.js';
import { Telemetry } from './telemetry.js';
import { BatchWriter } from './writer/batch-writer.js';

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
  /** Queues one event for writing; never waits. */
  record(event: AuditEvent): void;
  /** Resolves when everything recorded so far is stored. */
  flush(): Promise<void>;
  /** Flushes, then releases only what the trail opened itself. */
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
  const started = connectWithRetry(database, config)
    .then(() => migrateToLatest(database.sequelize, logger, config.migrationLockTimeoutMs))
    .then((): Store => ({ sequelize: database.sequelize, models }));
  // Whoever awaits ready() sees the failure; nobody awaiting must not make it an unhandled rejection.
  started.catch((error: unknown) => logger.error(`audit trail is not ready: ${messageOf(error)}`));

  const telemetry = new Telemetry();
  const writer = new BatchWriter(
    async (events) => {
      const { models } = await started;
      await models.UserAction.bulkCreate(events.map(toRow));
    },
    { batchSize: config.batchSize, flushIntervalMs: config.flushIntervalMs, maxRetryDelayMs: 30_000, logger, telemetry },
  );
  let redis: OpenedRedis | undefined;
  let redisOpened = false;
  let closing: Promise<void> | undefined;
  const retention = config.retention && startRetention(() => started, config.retention, logger);

  return {
    [TRAIL_BRAND]: true,
    config,
    telemetry,
    ready: async () => {
      await started;
    },
    record(event) {
      if (closing) {
        logger.warn('audit event recorded after close() was dropped', { requestId: event.requestId });
        telemetry.emit('dropped', { reason: 'closed', count: 1 });
        return;
      }
      telemetry.emit('recorded', { outcome: event.outcome });
      writer.record(event);
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
        await retention?.stop();
        await flushWithin(writer, config.closeTimeoutMs);
        const unwritten = writer.stop();
        if (unwritten.length > 0) {
          logger.error(`${unwritten.length} audit event(s) could not be written before close() and were dropped`);
          telemetry.emit('dropped', { reason: 'shutdown_timeout', count: unwritten.length });
        }
        if (redis?.owned) redis.client.disconnect();
        if (database.owned) await database.sequelize.close();
      })();
      return closing;
    },
  };
}

async function flushWithin(writer: BatchWriter, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([writer.flush(), deadline]);
  clearTimeout(timer);
}
