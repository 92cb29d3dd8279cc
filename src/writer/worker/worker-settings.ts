import type { Sequelize } from 'sequelize';
import type { ChainSettings } from '../../integrity/appender.js';
import type { WorkerConnection, WorkerSettings } from './protocol.js';

interface SequelizeConnection {
  host?: string;
  port?: string | number;
  username?: string;
  password?: string;
  database?: string;
}

/** Driver options that change what a connection sees; Sequelize passes the same ones on to pg. */
const PASSED_ON = ['ssl', 'application_name', 'options', 'statement_timeout', 'client_encoding'] as const;

/**
 * The worker connects as the trail's Sequelize does, whether the trail opened it from a URL or the host
 * lent its own: the same server (the write replica, under replication), user, database and driver options.
 */
export function workerSettings(sequelize: Sequelize, maxConnections: number, chain: ChainSettings | false): WorkerSettings {
  const config = sequelize.config as SequelizeConnection & {
    replication?: false | { write?: SequelizeConnection };
    dialectOptions?: Record<string, unknown>;
  };
  const target = { ...config, ...(config.replication ? config.replication.write : {}) };
  const dialectOptions = config.dialectOptions ?? {};
  const passedOn = Object.fromEntries(PASSED_ON.filter((key) => dialectOptions[key] !== undefined).map((key) => [key, dialectOptions[key]]));
  const connection: WorkerConnection = {
    host: target.host,
    port: target.port === undefined ? undefined : Number(target.port),
    user: target.username,
    password: target.password,
    database: target.database,
    ...passedOn,
  };
  return { connection, maxConnections, chain };
}
