import { Sequelize } from 'sequelize';
import { afterAll, beforeAll } from 'vitest';
import { createAuditTrail } from '../../src/index.js';
import { useTestDatabase } from './database.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface ProxiedDatabase {
  readonly url: string;
  /** In front of the database, for a test to cut. */
  readonly proxy: TcpProxy;
  /** Straight to the database, to count rows whatever the proxy does. */
  readonly direct: Sequelize;
}

/**
 * A fresh database for the calling test file with a TCP proxy in front of it. Migrated unless told not to,
 * so that host processes start at once and several lives of a host never race to migrate. Read it inside
 * tests or hooks.
 */
export function useProxiedDatabase({ migrated = true } = {}): ProxiedDatabase {
  const database = useTestDatabase();
  let opened: { proxy: TcpProxy; direct: Sequelize } | undefined;
  beforeAll(async () => {
    if (migrated) {
      const trail = createAuditTrail({ database: database.url, logger: false });
      await trail.ready();
      await trail.close();
    }
    opened = { proxy: await startTcpProxy(database.url), direct: new Sequelize(database.url, { logging: false }) };
  });
  afterAll(async () => {
    await opened?.direct.close();
    await opened?.proxy.close();
  });
  const get = () => {
    if (!opened) throw new Error('useProxiedDatabase() read before beforeAll ran');
    return opened;
  };
  return {
    get url() {
      return database.url;
    },
    get proxy() {
      return get().proxy;
    },
    get direct() {
      return get().direct;
    },
  };
}
