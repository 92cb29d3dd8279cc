import type { Model, ModelStatic, Sequelize, Transaction } from 'sequelize';
import type { Sanitizer } from '../capture/sanitize.js';
import { currentContext, startTracking, SYSTEM } from '../context.js';
import { AuditTrailError, messageOf } from '../errors.js';
import type { AuditTrail } from '../trail.js';
import type { ChangeEvent, ChangeOperation } from './change-event.js';
import { Affected, AFFECTED, countBulkWrites } from './affected.js';
import { whenCommitted } from './committed.js';
import { amountsOf, incrementedCount, reportIncrements } from './increments.js';
import { diffOf, plainOf, recordIdOf, rowOf, trackedModel, type TrackedModel } from './snapshot.js';

export interface TrackChangesOptions {
  /** The model names to track; omitted, every model of this Sequelize. */
  models?: string[];
  /** Columns never recorded, per model: `{ User: ['hash'] }`. */
  exclude?: Record<string, string[]>;
}

/** Where the changes go: the trail, with the mount's sanitizer (the one request bodies pass through). */
export interface ChangeSink {
  readonly trail: AuditTrail;
  readonly sanitize: Sanitizer;
}

/** Hook options, as far as the hooks read them. */
interface WriteOptions {
  readonly transaction?: Transaction | null;
  readonly individualHooks?: boolean;
  readonly model?: ModelStatic<Model>;
  readonly where?: unknown;
  readonly attributes?: unknown;
  [AFFECTED]?: Affected;
}

/** The trail's own models (prefixed `AuditTrail`) may share the host's Sequelize; they are never tracked. */
const OWN_MODEL = /^AuditTrail/;
const HOOK_NAME = 'audit-trail.changes';

/**
 * Records every committed write through the tracked models as a `user_action_changes` row, tied to the
 * request (or `runAs` actor) whose async context made it. Capturing never fails the host's write: a
 * failure is logged and counted as dropped.
 */
export function trackChanges(sequelize: Sequelize, options: TrackChangesOptions, sink: ChangeSink): void {
  if (typeof (sequelize as Partial<Sequelize> | undefined)?.addHook !== 'function') {
    throw new AuditTrailError('invalid_option', 'trackChanges(sequelize) needs your Sequelize instance.');
  }
  const names = options.models;
  if (names !== undefined && (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))) {
    throw new AuditTrailError('invalid_option', 'trackChanges: models must be an array of model names.');
  }
  for (const name of [...(names ?? []), ...Object.keys(options.exclude ?? {})]) {
    if (!sequelize.isDefined(name)) throw new AuditTrailError('invalid_option', `trackChanges: no model named "${name}" is defined on this Sequelize; define your models first.`);
  }
  const compiled = new Map<ModelStatic<Model>, TrackedModel | undefined>();
  const tracked = (model: ModelStatic<Model> | undefined): TrackedModel | undefined => {
    if (!model) return undefined;
    if (!compiled.has(model)) {
      const wanted = names ? names.includes(model.name) : !OWN_MODEL.test(model.name);
      compiled.set(model, wanted ? trackedModel(model, options.exclude?.[model.name] ?? []) : undefined);
    }
    return compiled.get(model);
  };
  const cls = (sequelize.constructor as { _cls?: { get(key: string): unknown } })._cls;

  /** Reads the context and sanitizes now, while the values are as the write left them; queues at commit. */
  function record(model: TrackedModel, operation: ChangeOperation, recordId: string | null, fields: Record<string, unknown>, options: WriteOptions): void {
    try {
      const context = currentContext();
      const actor = context?.actor() ?? SYSTEM;
      const change: ChangeEvent = {
        timestamp: new Date(),
        eventId: context?.eventId() ?? null,
        requestId: context?.requestId ?? null,
        userId: actor.userId,
        username: actor.username,
        model: model.name,
        tableName: model.tableName,
        recordId,
        operation,
        changes: sink.sanitize.object(fields),
      };
      const transaction = options.transaction ?? (cls?.get('transaction') as Transaction | undefined);
      whenCommitted(transaction, () => {
        change.timestamp = new Date();
        sink.trail.recordChange(change);
      });
    } catch (error) {
      dropped(`${operation} of ${model.name} ${recordId ?? ''}`, error);
    }
  }
  function dropped(what: string, error: unknown): void {
    sink.trail.config.logger.error(`audit change (${what}) dropped: ${messageOf(error)}`);
    sink.trail.telemetry.emit('dropped', { reason: 'capture_failed', count: 1 });
  }

  const one = (operation: ChangeOperation, read: (model: TrackedModel, instance: Model) => Record<string, unknown> | undefined) => (instance: Model, options: WriteOptions) => {
    const model = tracked(instance.constructor as ModelStatic<Model>);
    if (!model) return;
    const fields = read(model, instance);
    if (fields) record(model, operation, recordIdOf(model, instance), fields, options);
  };
  /** A bulk operation run without individual hooks: what it was asked to do, since its rows are never loaded, and how many it changed. */
  const bulk = (operation: ChangeOperation) => (options: WriteOptions) => {
    const model = tracked(options.model);
    if (!model || options.individualHooks) return;
    const fields: Record<string, unknown> = { where: plainOf(options.where) };
    if (options.attributes !== undefined) fields.set = plainOf(options.attributes);
    fields.affected = options[AFFECTED]?.count;
    record(model, operation, null, fields, options);
  };
  const counting = (options: WriteOptions) => {
    if (tracked(options.model) && !options.individualHooks) options[AFFECTED] = new Affected();
  };

  const hooks = {
    afterCreate: one('create', rowOf),
    afterUpdate: one('update', diffOf),
    afterDestroy: one('delete', rowOf),
    afterRestore: one('restore', rowOf),
    afterUpsert: ([instance]: [Model, boolean | null], options: WriteOptions) => one('upsert', rowOf)(instance, options),
    afterBulkCreate: (instances: Model[], options: WriteOptions) => {
      if (!options.individualHooks) for (const instance of instances) one('create', rowOf)(instance, options);
    },
    beforeBulkUpdate: counting,
    beforeBulkDestroy: counting,
    beforeBulkRestore: counting,
    afterBulkUpdate: bulk('bulk_update'),
    afterBulkDestroy: bulk('bulk_delete'),
    afterBulkRestore: bulk('restore'),
  };
  startTracking();
  for (const [hook, fn] of Object.entries(hooks)) sequelize.addHook(hook as 'afterCreate', HOOK_NAME, fn as never);
  countBulkWrites(sequelize.getQueryInterface());
  // An instance's increment is an update of that record; a model's, a bulk update. Both say by how much, not to what.
  reportIncrements(
    sequelize,
    (model) => tracked(model) !== undefined,
    (modelClass, fields, options, result) => {
      const model = tracked(modelClass);
      if (!model) return;
      const increment = amountsOf(fields, options, model.attributes);
      if (options.instance) record(model, 'update', recordIdOf(model, options.instance), { increment }, options);
      else record(model, 'bulk_update', null, { where: plainOf(options.where), increment, affected: incrementedCount(result) }, options);
    },
    (error) => dropped('an increment', error),
  );
}
