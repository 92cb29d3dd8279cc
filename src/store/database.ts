import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sequelize, type Options } from 'sequelize';
import type { AuditTrailConfig } from '../config.js';
import { AuditTrailError, messageOf } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { pgConnectionConfig, secretsOf } from './database-url.js';
import { hopeless } from './hopeless.js';

export interface OpenedDatabase {
  readonly sequelize: Sequelize;
  /** Only a connection we opened is ours to close; a host's Sequelize stays open. */
  readonly owned: boolean;
  /** What to name in logs and errors: host and port, or the SQLite file. Never a password. */
  readonly label: string;
}

export function openDatabase(config: AuditTrailConfig): OpenedDatabase {
  const target = config.database;
  if (target.kind === 'host') return { sequelize: target.sequelize, owned: false, label: labelOf(target.sequelize) };
  const common: Options = { logging: false };
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(path.dirname(target.path), { recursive: true });
    return { sequelize: construct({ ...common, dialect: 'sqlite', storage: target.path }), owned: true, label: target.path };
  }
  // Sequelize gets a parsed config, never the URL: its URL parser is Node's legacy url.parse, whose
  // deprecation warning prints the whole URL, password included.
  const { user, password, host, port, database, ...dialectOptions } = pgConnectionConfig(target.settings);
  const options: Options = { ...common, dialect: 'postgres', host, port, database, username: user, password, dialectOptions, pool: poolOptions(config) };
  return { sequelize: construct(options), owned: true, label: target.settings.label };
}

/**
 * `ready()` waits on this: the first answer from the database, after as many attempts as configured, or at
 * once an error that no retry can fix (a missing database, refused credentials).
 */
export async function connectWithRetry(database: OpenedDatabase, config: AuditTrailConfig, signal?: AbortSignal): Promise<void> {
  const { connectAttempts: attempts, connectRetryDelayMs: delayMs, logger } = config;
  for (let attempt = 1; ; attempt++) {
    // A trail closed while still connecting must not open a connection after its pool is gone.
    if (signal?.aborted) throw new AuditTrailError('closed', `closed before the database at ${database.label} answered`);
    try {
      await database.sequelize.authenticate({ logging: false });
      if (attempt > 1) logger.info(`connected to the database at ${database.label} on attempt ${attempt}`);
      return;
    } catch (error) {
      const fatal = hopeless(error, database.label);
      if (fatal) throw fatal;
      const reason = redactSecrets(messageOf(error), secretsOf(config.database));
      if (attempt >= attempts) {
        throw new AuditTrailError('connection_failed', `could not connect to the database at ${database.label} after ${attempts} attempt(s): ${reason}`, { cause: error });
      }
      logger.warn(`database connection attempt ${attempt}/${attempts} to ${database.label} failed: ${reason}; retrying in ${delayMs} ms`);
      await sleep(delayMs, undefined, { signal }).catch(() => {});
    }
  }
}

function construct(options: Options): Sequelize {
  try {
    return new Sequelize(options);
  } catch (error) {
    if (/sqlite3/i.test(messageOf(error))) {
      throw new AuditTrailError('driver_missing', 'the embedded SQLite database needs the sqlite3 package: run `npm install sqlite3`, or set DATABASE_URL to a PostgreSQL URL.', {
        cause: error,
      });
    }
    throw new AuditTrailError('invalid_option', `cannot open the database: ${messageOf(error)}`, { cause: error });
  }
}

function poolOptions(config: AuditTrailConfig): Options['pool'] {
  const { max, min, acquireMs, idleMs } = config.pool;
  // Sequelize's pool validates every connection before lending it, like SQLAlchemy's pool_pre_ping.
  return { max, min, acquire: acquireMs, idle: idleMs };
}

function labelOf(sequelize: Sequelize): string {
  const { host, port, storage } = sequelize.config as { host?: string; port?: string | number; storage?: string };
  if (sequelize.getDialect() === 'sqlite') return storage ?? ':memory:';
  return port ? `${host}:${port}` : String(host);
}
