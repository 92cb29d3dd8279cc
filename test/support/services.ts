import net from 'node:net';

export interface Services {
  /** A PostgreSQL server URL whose user may create databases. */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly source: string;
  stop(): Promise<void>;
}

const LOCAL = { databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres', redisUrl: 'redis://127.0.0.1:6379' };

const HOW_TO_FIX = `Tests need PostgreSQL and Redis. Either
  - set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DB (a user that may CREATE DATABASE) and REDIS_URL=redis://HOST:PORT, or
  - start a Docker engine (testcontainers then starts both), or
  - run PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on 127.0.0.1:6379.`;

/** Environment first, then testcontainers if a Docker engine answers, then the local defaults. */
export async function resolveServices(env = process.env): Promise<Services> {
  if (env.DATABASE_URL) {
    const redisUrl = env.REDIS_URL ?? LOCAL.redisUrl;
    return { databaseUrl: env.DATABASE_URL, redisUrl, source: 'environment', stop: async () => {} };
  }
  const containers = await startContainers();
  if (containers) return containers;
  if ((await reachable(5432)) && (await reachable(6379))) return { ...LOCAL, source: 'local defaults', stop: async () => {} };
  throw new Error(`No test services found.\n${HOW_TO_FIX}`);
}

async function startContainers(): Promise<Services | undefined> {
  const { getContainerRuntimeClient, GenericContainer, Wait } = await import('testcontainers');
  try {
    await withTimeout(getContainerRuntimeClient(), 5_000);
  } catch {
    return undefined; // no Docker engine here
  }
  const postgres = await new GenericContainer('postgres:17-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
  return {
    databaseUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}

function reachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);
}
