import type { Sequelize } from 'sequelize';
import type { AuditTrailOptions } from '../config.js';
import type { RouteTable } from '../http/types.js';
import { resolveMount, type TrailHandle } from '../mount.js';
import type { AuditTrail } from '../trail.js';
import { authorCommands, type AuthorCommands } from './commands.js';
import { countNamespace, CountCachePolicy, type CountCache } from './count-cache.js';
import { memoryCountCache } from './memory-count-cache.js';
import { resolveAuthorsOptions, type AuthorsRouterConfig, type AuthorsRouterOptions } from './options.js';
import { RedisCountCache } from './redis-count-cache.js';
import { AuthorRepository } from './repository.js';
import { authorRoutes } from './routes.js';

export type AuthorsRouterInput<Options extends AuthorsRouterOptions = AuthorsRouterOptions> = AuditTrail | TrailHandle | (AuditTrailOptions & Options);

/** What both adapters' `authorsRouter` start from: the trail, the resolved options and the route table. */
export function authorsMount<Options extends AuthorsRouterOptions>(
  input: AuthorsRouterInput<Options> | undefined,
  options: Options | undefined,
  /** The adapter's option names: only Koa's take a `prefix`. */
  names: readonly string[],
) {
  const { trail, options: own } = resolveMount(input, options, names);
  const config = resolveAuthorsOptions(own);
  const routes: RouteTable = authorRoutes(authorsService(trail, config), config.roles);
  return { trail, config, routes };
}

/**
 * The commands on the trail's own database and Redis, built once the trail is ready. Redis when the
 * trail has one, else the per-process cache.
 */
export function authorsService(trail: AuditTrail, config: AuthorsRouterConfig): () => Promise<AuthorCommands> {
  let built: Promise<AuthorCommands> | undefined;
  return () =>
    (built ??= trail.store().then(({ sequelize, models }) => {
      const namespace = countNamespace(config.keyPrefix, databaseName(sequelize), 'author');
      const redis = trail.redis();
      const cache: CountCache = redis
        ? new RedisCountCache(redis, { namespace, ttlSeconds: config.countTtlSeconds, timeoutMs: config.redisTimeoutMs })
        : memoryCountCache(namespace, config.countTtlSeconds);
      const policy = new CountCachePolicy(cache, trail.telemetry, trail.config.logger);
      return authorCommands(new AuthorRepository(sequelize, models.Author), policy, namespace);
    }).catch((error: unknown) => {
      built = undefined; // the trail heals once the database answers: ask it again next time
      throw error;
    }));
}

/** PostgreSQL's database name; for SQLite, its file. */
export function databaseName(sequelize: Sequelize): string {
  const { storage } = (sequelize as unknown as { options: { storage?: string } }).options;
  return sequelize.getDatabaseName() || storage || 'default';
}
