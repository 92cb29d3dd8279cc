import { Redis } from 'ioredis';
import type { RedisTarget } from './config.js';
import type { Logger } from './logger.js';

export interface OpenedRedis {
  readonly client: Redis;
  /** Only a client we created is ours to quit. */
  readonly owned: boolean;
}

/**
 * Redis is optional everywhere, so a client of ours fails fast instead of queueing commands
 * while the server is away: callers fall back to their in-process path.
 */
export function openRedis(target: RedisTarget, logger: Logger): OpenedRedis | undefined {
  if (target.kind === 'none') return undefined;
  if (target.kind === 'host') return { client: target.client, owned: false };
  const client = new Redis(target.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
  });
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.warn(`redis unavailable, using in-process fallbacks until it answers: ${error.message}`);
    reported = true;
  });
  client.on('ready', () => (reported = false));
  client.connect().catch(() => {}); // reported through the 'error' event above
  return { client, owned: true };
}
