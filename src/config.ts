import path from 'node:path';
import type { Sequelize } from 'sequelize';
import type { Redis } from 'ioredis';
import { AuditTrailError } from './errors.js';
import { consoleLogger, silentLogger, type Logger } from './logger.js';
import { optionNames, requireKnownOptions } from './option-keys.js';
import { redactingLogger } from './redact.js';
import { parseDatabaseUrl, secretsOf, type DatabaseTarget } from './store/database-url.js';
import { OVERFLOW_POLICIES, type OverflowPolicy } from './writer/overflow.js';

export type { OverflowPolicy } from './writer/overflow.js';
export type WriteMode = 'default' | 'strict';
import { resolveRetention, type RetentionConfig, type RetentionOptions } from './query/retention.js';
import { resolvePartitioning, type PartitioningConfig, type PartitioningOptions } from './partitions/options.js';
import { resolveIntegrity, type IntegrityConfig, type IntegrityOptions } from './integrity/options.js';

export interface PoolOptions {
  /** Most connections open at once. The reference runs 20 plus 10 overflow. */
  max?: number;
  min?: number;
  /** How long a caller may wait for a free connection. */
  acquireMs?: number;
  /** How long an unused connection stays open. */
  idleMs?: number;
}

export interface AuditTrailOptions {
  /** A host-owned Sequelize instance, or a `postgres://` / `sqlite:` URL. Default: `DATABASE_URL`, then embedded SQLite. */
  database?: Sequelize | string;
  /** The embedded SQLite file used when no database is configured. */
  sqlitePath?: string;
  /** A Redis URL or a host-owned ioredis instance. Default: `REDIS_URL`, then none (in-process fallbacks). */
  redis?: Redis | string;
  pool?: PoolOptions;
  /** Connection attempts before `ready()` rejects. */
  connectAttempts?: number;
  /** Wait between connection attempts. */
  connectRetryDelayMs?: number;
  /** How long an instance waits for another one's migrations before giving up. */
  migrationLockTimeoutMs?: number;
  /** Events per INSERT. */
  batchSize?: number;
  /** Longest an event waits in memory before its batch is written. */
  flushIntervalMs?: number;
  /** How long `close()` may spend writing what is still queued; what is left goes to the spill file. */
  closeTimeoutMs?: number;
  /** `strict` holds each response until its row is durable (stored, or spilled and fsync'd). */
  mode?: WriteMode;
  /** Most events held in memory; beyond it `onOverflow` applies. */
  maxQueue?: number;
  /** Most bytes of events held in memory (their text, counted in characters); beyond it `onOverflow` applies. */
  maxQueueBytes?: number;
  /** What happens to an event that finds the queue full. */
  onOverflow?: OverflowPolicy;
  /** Under `block`, how long a response waits for queue space before its event is dropped. */
  blockTimeoutMs?: number;
  /** Where events beyond memory, and those close() could not write, are kept until replayed. */
  spillDir?: string;
  /** Batches written at once on PostgreSQL, each on its own pooled connection (SQLite: always 1). */
  writeConcurrency?: number;
  /** Install SIGTERM and SIGINT handlers that close() the trail, then let the signal take its course. */
  handleSignals?: boolean;
  /** Where the package logs; `false` silences it. */
  logger?: Logger | false;
  /** Queries on the trail's Sequelize slower than this are logged as a warning and counted. */
  slowQueryMs?: number;
  /** Prune rows older than `olderThan` every `every` (default `1h`), one instance at a time. Default: keep everything. */
  retention?: RetentionOptions;
  /**
   * Range-partition user_actions and user_action_changes on "timestamp" (PostgreSQL), so that retention
   * drops whole partitions. Off by default. See docs/partitioning.md.
   */
  partitioning?: PartitioningOptions;
  /**
   * The tamper-evidence chain over every stored batch (PostgreSQL and SQLite): on by default; options
   * set a signing key and checkpoints, `false` turns it off. See docs/integrity.md.
   */
  integrity?: IntegrityOptions | boolean;
}

export type RedisTarget = { readonly kind: 'host'; readonly client: Redis } | { readonly kind: 'url'; readonly url: string } | { readonly kind: 'none' };

export interface AuditTrailConfig {
  readonly database: DatabaseTarget;
  readonly redis: RedisTarget;
  readonly pool: Readonly<Required<PoolOptions>>;
  readonly connectAttempts: number;
  readonly connectRetryDelayMs: number;
  readonly migrationLockTimeoutMs: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly closeTimeoutMs: number;
  readonly mode: WriteMode;
  readonly maxQueue: number;
  readonly maxQueueBytes: number;
  readonly onOverflow: OverflowPolicy;
  readonly blockTimeoutMs: number;
  readonly spillDir: string;
  readonly writeConcurrency: number;
  readonly handleSignals: boolean;
  readonly logger: Logger;
  readonly slowQueryMs: number;
  readonly retention: RetentionConfig | undefined;
  readonly partitioning: PartitioningConfig | undefined;
  readonly integrity: IntegrityConfig | false;
}

export const DEFAULTS = Object.freeze({
  sqlitePath: path.join('.audit-trail', 'audit.sqlite'),
  pool: Object.freeze({ max: 30, min: 0, acquireMs: 30_000, idleMs: 10_000 }),
  connectAttempts: 5,
  connectRetryDelayMs: 5_000,
  migrationLockTimeoutMs: 60_000,
  batchSize: 500,
  flushIntervalMs: 200,
  closeTimeoutMs: 10_000,
  slowQueryMs: 100,
  mode: 'default' as WriteMode,
  maxQueue: 100_000,
  // Well under Node's default heap (over 1.4 GiB on 64-bit), even at two to three times the text's size as objects.
  maxQueueBytes: 64 * 1024 * 1024,
  onOverflow: 'spill' as OverflowPolicy,
  blockTimeoutMs: 5_000,
  spillDir: path.join('.audit-trail', 'spill'),
  writeConcurrency: 2,
  handleSignals: false,
});

export const TRAIL_OPTIONS = optionNames<AuditTrailOptions>({
  database: true,
  sqlitePath: true,
  redis: true,
  pool: true,
  connectAttempts: true,
  connectRetryDelayMs: true,
  migrationLockTimeoutMs: true,
  batchSize: true,
  flushIntervalMs: true,
  closeTimeoutMs: true,
  mode: true,
  maxQueue: true,
  maxQueueBytes: true,
  onOverflow: true,
  blockTimeoutMs: true,
  spillDir: true,
  writeConcurrency: true,
  handleSignals: true,
  logger: true,
  slowQueryMs: true,
  retention: true,
  partitioning: true,
  integrity: true,
});
const POOL_OPTIONS = optionNames<PoolOptions>({ max: true, min: true, acquireMs: true, idleMs: true });

/** Options and environment become one frozen config; the caller's object is never touched. */
export function resolveConfig(options: AuditTrailOptions = {}, env: NodeJS.ProcessEnv = process.env): AuditTrailConfig {
  requireKnownOptions(options, TRAIL_OPTIONS);
  requireKnownOptions(options.pool ?? {}, POOL_OPTIONS, 'pool.');
  const pool = { ...DEFAULTS.pool, ...definedEntries(options.pool ?? {}) };
  for (const [name, value] of Object.entries(pool)) requireCount(`pool.${name}`, value, 0);
  if (pool.min > pool.max) {
    throw new AuditTrailError('invalid_option', `pool.min (${pool.min}) exceeds pool.max (${pool.max}); lower min or raise max.`);
  }
  const database = databaseTarget(options, env);
  const redis = redisTarget(options.redis, env);
  // Every line the trail logs passes here, so no message can carry a password, whoever composed it.
  const secrets = [...secretsOf(database), ...redisSecrets(redis)];
  const logger = redactingLogger(options.logger === false ? silentLogger : (options.logger ?? consoleLogger), secrets);
  return Object.freeze({
    database,
    redis,
    pool: Object.freeze(pool),
    connectAttempts: requireCount('connectAttempts', options.connectAttempts ?? DEFAULTS.connectAttempts, 1),
    connectRetryDelayMs: requireCount('connectRetryDelayMs', options.connectRetryDelayMs ?? DEFAULTS.connectRetryDelayMs, 0),
    migrationLockTimeoutMs: requireCount('migrationLockTimeoutMs', options.migrationLockTimeoutMs ?? DEFAULTS.migrationLockTimeoutMs, 1),
    batchSize: requireCount('batchSize', options.batchSize ?? DEFAULTS.batchSize, 1),
    flushIntervalMs: requireCount('flushIntervalMs', options.flushIntervalMs ?? DEFAULTS.flushIntervalMs, 1),
    closeTimeoutMs: requireCount('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs, 0),
    mode: requireOneOf('mode', options.mode ?? DEFAULTS.mode, ['default', 'strict']),
    maxQueue: requireCount('maxQueue', options.maxQueue ?? DEFAULTS.maxQueue, 1),
    maxQueueBytes: requireCount('maxQueueBytes', options.maxQueueBytes ?? DEFAULTS.maxQueueBytes, 1),
    onOverflow: requireOneOf('onOverflow', options.onOverflow ?? DEFAULTS.onOverflow, OVERFLOW_POLICIES),
    blockTimeoutMs: requireCount('blockTimeoutMs', options.blockTimeoutMs ?? DEFAULTS.blockTimeoutMs, 0),
    spillDir: path.resolve(options.spillDir ?? DEFAULTS.spillDir),
    writeConcurrency: requireCount('writeConcurrency', options.writeConcurrency ?? DEFAULTS.writeConcurrency, 1),
    handleSignals: options.handleSignals ?? DEFAULTS.handleSignals,
    logger,
    slowQueryMs: requireCount('slowQueryMs', options.slowQueryMs ?? DEFAULTS.slowQueryMs, 0),
    retention: resolveRetention(options.retention),
    partitioning: resolvePartitioning(options.partitioning),
    integrity: resolveIntegrity(options.integrity),
  });
}

function databaseTarget(options: AuditTrailOptions, env: NodeJS.ProcessEnv): DatabaseTarget {
  const { database } = options;
  if (database !== undefined && typeof database !== 'string') {
    if (typeof database?.getDialect !== 'function') {
      throw new AuditTrailError('invalid_option', 'database must be a Sequelize instance or a URL string such as postgres://user@host:5432/db.');
    }
    return { kind: 'host', sequelize: database };
  }
  const url = database || env.DATABASE_URL;
  if (url) return parseDatabaseUrl(url);
  return { kind: 'sqlite', path: path.resolve(options.sqlitePath ?? DEFAULTS.sqlitePath) };
}

function redisTarget(redis: AuditTrailOptions['redis'], env: NodeJS.ProcessEnv): RedisTarget {
  if (redis !== undefined && typeof redis !== 'string') {
    if (typeof redis?.get !== 'function') {
      throw new AuditTrailError('invalid_option', 'redis must be an ioredis instance or a URL string such as redis://127.0.0.1:6379.');
    }
    return { kind: 'host', client: redis };
  }
  const url = redis || env.REDIS_URL;
  return url ? { kind: 'url', url } : { kind: 'none' };
}

function redisSecrets(redis: RedisTarget): string[] {
  if (redis.kind !== 'url') return [];
  try {
    const { password } = new URL(redis.url);
    return password ? [decodeURIComponent(password)] : [];
  } catch {
    return []; // ioredis reports the URL as invalid; its message does not repeat it
  }
}

export function requireCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new AuditTrailError('invalid_option', `${name} must be an integer of at least ${min}; got ${String(value)}.`);
  }
  return value;
}

function requireOneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new AuditTrailError('invalid_option', `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${String(value)}.`);
  }
  return value;
}

function definedEntries<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
