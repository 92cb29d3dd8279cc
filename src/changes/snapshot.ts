import type { Model, ModelStatic } from 'sequelize';

/** What the hooks read of a tracked model, compiled once per model. */
export interface TrackedModel {
  readonly name: string;
  readonly tableName: string;
  readonly primaryKeys: readonly string[];
  /** The attributes recorded: the model's own columns, less the host's `exclude`. */
  readonly attributes: readonly string[];
}

export function trackedModel(model: ModelStatic<Model>, exclude: readonly string[]): TrackedModel {
  const table = model.getTableName() as string | { tableName: string };
  return {
    name: model.name,
    tableName: typeof table === 'string' ? table : table.tableName,
    primaryKeys: model.primaryKeyAttributes,
    attributes: Object.keys(model.getAttributes()).filter((name) => !exclude.includes(name)),
  };
}

/** The primary key as text; JSON for a composite key. */
export function recordIdOf(model: TrackedModel, instance: Model): string | null {
  if (model.primaryKeys.length === 1) {
    const id: unknown = instance.get(model.primaryKeys[0]!);
    return id === undefined || id === null ? null : String(id);
  }
  return JSON.stringify(Object.fromEntries(model.primaryKeys.map((key) => [key, instance.get(key)])));
}

/** The whole row, for a create, a delete, a restore or an upsert. */
export function rowOf(model: TrackedModel, instance: Model): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const name of model.attributes) {
    const value: unknown = instance.getDataValue(name);
    if (value !== undefined) row[name] = value;
  }
  return row;
}

/** Only the fields the update changed, as `{ field: [before, after] }`; undefined when none of the recorded ones did. */
export function diffOf(model: TrackedModel, instance: Model): Record<string, [unknown, unknown]> | undefined {
  const changed = instance.changed();
  if (!changed) return undefined;
  const diff: Record<string, [unknown, unknown]> = {};
  let any = false;
  for (const name of changed) {
    if (!model.attributes.includes(name)) continue;
    diff[name] = [instance.previous(name), instance.getDataValue(name)];
    any = true;
  }
  return any ? diff : undefined;
}

/**
 * A bulk operation's `where` (or `set`) as plain data: Sequelize's operators are symbol keys, which JSON
 * would drop, so `{ [Op.gt]: 5 }` becomes `{ "gt": 5 }`.
 */
export function plainOf(value: unknown, depth = 0): unknown {
  if (depth > 10 || value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((each) => plainOf(each, depth + 1));
  const plain: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    const name = typeof key === 'symbol' ? (key.description ?? String(key)) : key;
    plain[name] = plainOf((value as Record<string | symbol, unknown>)[key], depth + 1);
  }
  return plain;
}
