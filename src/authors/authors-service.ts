import type { Sequelize } from 'sequelize';
import type { RouteTable } from '../http/types.js';
import type { AuditTrail } from '../trail.js';
import { authorCommands, type AuthorCommands } from './commands.js';
import { countNamespace, CountCachePolicy, type CountCache } from './count-cache.js';
import { memoryCountCache } from './memory-count-cache.js';
import { resolveAuthorsOptions, type AuthorsRouterConfig, type AuthorsRouterOptions } from './options.js';
import { RedisCountCache } from './redis-count-cache.js';
import { AuthorRepository } from './repository.js';
import { authorRoutes } from './routes.js';

/** What both adapters' `authorsRouter` mount (through mountFeature): the resolved options and the route table. */
export function authorsFeature(trail: AuditTrail, options: AuthorsRouterOptions) {
  const config = resolveAuthorsOptions(options);
  const routes: RouteTable = authorRoutes(authorsService(trail, config), config.roles);
  return { config, routes };
}

/**
 * The commands on the trail's own database and Redis, built once the trail is ready. Redis when the
 * trail has one, else the per-process cache.
 */
function authorsService(trail: AuditTrail, config: AuthorsRouterConfig): () => Promise<AuthorCommands> {
  let built: Promise<AuthorCommands> | undefined;
  return () =>
    (built ??= trail
      .store()
      .then(({ sequelize, models }) => {
        const namespace = countNamespace(config.keyPrefix, databaseName(sequelize), 'author');
        const redis = trail.redis();
        const cache: CountCache = redis
          ? new RedisCountCache(redis, { namespace, ttlSeconds: config.countTtlSeconds, timeoutMs: config.redisTimeoutMs })
          : memoryCountCache(namespace, config.countTtlSeconds);
        const policy = new CountCachePolicy(cache, trail.telemetry, trail.config.logger);
        return authorCommands(new AuthorRepository(sequelize, models.Author), policy, namespace);
      })
      .catch((error: unknown) => {
        built = undefined; // the trail heals once the database answers: ask it again next time
        throw error;
      }));
}

/** PostgreSQL's database name; for SQLite, its file. */
export function databaseName(sequelize: Sequelize): string {
  const { storage } = (sequelize as unknown as { options: { storage?: string } }).options;
  return sequelize.getDatabaseName() || storage || 'default';
}
