import { performance } from 'node:perf_hooks';
import type { PendingRequest } from '../src/capture/request-capture.js';
import { runInRequest } from '../src/context.js';

const N = 1_000_000;

/**
 * The request context's own cost on the request path: one AsyncLocalStorage.run and one small object per
 * request, against calling the next middleware directly. Run after the HTTP rounds, so tracking is on.
 */
export function measureContext(): string {
  const pending = { requestId: 'r' } as PendingRequest;
  const userOf = () => undefined;
  let sink = 0;
  const next = () => {
    sink++;
  };
  const time = (fn: () => void) => {
    for (let i = 0; i < N / 10; i++) fn(); // warm up
    const start = performance.now();
    for (let i = 0; i < N; i++) fn();
    return ((performance.now() - start) * 1e6) / N;
  };
  const direct = time(next);
  const inContext = time(() => runInRequest(pending, undefined, userOf, next));
  return `request context: ${(inContext - direct).toFixed(0)} ns per request (AsyncLocalStorage.run ${inContext.toFixed(0)} ns vs a direct call ${direct.toFixed(0)} ns; ${sink} calls)`;
}

/**
 * The host thread's cost of one tracked write, apart from the database: the afterUpdate hook (context,
 * diff, sanitizer) and the writer's record(), against the same hook run on an untracked model.
 */
export async function measureTrackedWrite(): Promise<string> {
  const { DataTypes, Sequelize } = await import('sequelize');
  const { createSanitizer } = await import('../src/capture/sanitize.js');
  const { trackChanges } = await import('../src/changes/track-changes.js');
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const define = (name: string) => sequelize.define(name, { amount: DataTypes.INTEGER, number: DataTypes.STRING, password: DataTypes.STRING });
  const Tracked = define('Tracked');
  const Untracked = define('Untracked');
  let recorded = 0;
  const trail = { recordChange: () => recorded++, config: { logger: console }, telemetry: { emit: () => {} } };
  trackChanges(sequelize, { models: ['Tracked'] }, { trail: trail as never, sanitize: createSanitizer() });
  type Hooked = typeof Tracked & { runHooks(name: string, ...args: unknown[]): Promise<void> };
  const time = async (model: Hooked) => {
    const instance = model.build({ id: 1, amount: 1, number: 'A-1', password: 'x' }, { isNewRecord: false });
    const n = 100_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      instance.set('amount', i + 2);
      await model.runHooks('afterUpdate', instance, { fields: ['amount'] });
      (instance as unknown as { _previousDataValues: Record<string, unknown> })._previousDataValues.amount = i + 2;
      instance.changed('amount' as never, false);
    }
    return ((performance.now() - start) * 1000) / n;
  };
  await time(Untracked as Hooked);
  await time(Tracked as Hooked);
  const untracked = await time(Untracked as Hooked);
  const tracked = await time(Tracked as Hooked);
  await sequelize.close();
  return `host thread per tracked write (hook, no database): ${(tracked - untracked).toFixed(1)} µs (${tracked.toFixed(1)} µs tracked vs ${untracked.toFixed(1)} µs untracked; ${recorded} changes)`;
}
