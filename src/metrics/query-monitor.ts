import { performance } from 'node:perf_hooks';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { loggableStatement, operationOf } from './statement.js';

interface QueryTiming {
  readonly startTick: number;
  failed: boolean;
}

type Runnable = { run(...args: unknown[]): Promise<unknown>; sql?: unknown };

let monitors = 0;

export interface QueryMonitor {
  /** Reports a query that did not go through Sequelize, such as the writer's own INSERT. */
  report(statement: string, durationMs: number, failed: boolean): void;
  /** Removes the hooks. */
  stop(): void;
}

/**
 * Times every query on `sequelize` through named `beforeQuery`/`afterQuery` hooks (not the instance-wide
 * `benchmark`/`logging` options, which would change the host's Sequelize), reports each as `db_query`
 * and logs the slow ones.
 */
export function monitorQueries(sequelize: Sequelize, { telemetry, logger, slowQueryMs }: { telemetry: Telemetry; logger: Logger; slowQueryMs: number }): QueryMonitor {
  // Unique per monitor: two trails sharing one host Sequelize must not remove each other's hooks.
  const name = `audit-trail.query-monitor.${++monitors}`;
  const timings = new WeakMap<object, QueryTiming>();

  const report = (statement: string, durationMs: number, failed: boolean, queryType?: unknown) => {
    try {
      const operation = operationOf(statement, queryType);
      const slow = durationMs > slowQueryMs;
      if (slow) {
        logger.warn(`Slow query detected: ${(durationMs / 1000).toFixed(3)}s [${operation}] Statement: ${loggableStatement(statement)}`);
      }
      telemetry.emit('db_query', { operation, durationSeconds: durationMs / 1000, slow, failed });
    } catch {
      // A metric or a log line is never worth failing the host's query over.
    }
  };

  sequelize.addHook('beforeQuery', name, (_options, query) => {
    const timing: QueryTiming = { startTick: performance.now(), failed: false };
    timings.set(query, timing);
    // Sequelize has no hook for a failed query, and afterQuery runs in a `finally` that cannot see the
    // error. run() is what rejects, so this one query's run() notes the failure and rethrows it unchanged.
    const runnable = query as unknown as Runnable;
    const run = runnable.run;
    runnable.run = async function (this: unknown, ...args: unknown[]) {
      try {
        return await run.apply(this, args);
      } catch (error) {
        timing.failed = true;
        throw error;
      }
    };
  });

  sequelize.addHook('afterQuery', name, (options, query) => {
    const timing = timings.get(query);
    if (!timing) return; // began before the hooks were added
    const sql = (query as unknown as Runnable).sql;
    report(typeof sql === 'string' ? sql : '', performance.now() - timing.startTick, timing.failed, options.type);
  });

  return {
    report,
    stop() {
      sequelize.removeHook('beforeQuery', name);
      sequelize.removeHook('afterQuery', name);
    },
  };
}
