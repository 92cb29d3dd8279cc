import type { Model, ModelStatic, Sequelize, Transaction } from 'sequelize';

/** `Model.increment`'s options, as far as its record reads them; `instance` is set when an instance's increment called it. */
export interface IncrementOptions {
  readonly by?: number;
  /** false for a decrement. */
  readonly increment?: boolean;
  readonly where?: unknown;
  readonly instance?: Model;
  readonly transaction?: Transaction | null;
}

export type IncrementFields = string | readonly string[] | Readonly<Record<string, number>>;

/** Called once an increment or decrement has run, with the model it ran on and its result. */
export type Incremented = (model: ModelStatic<Model>, fields: IncrementFields, options: IncrementOptions, result: unknown) => void;

const WRAPPED = Symbol.for('audit-trail.increment');

/**
 * `increment` and `decrement` (static or on an instance: all go through the model's static `increment`) run
 * no hooks. Each wanted model of `sequelize`, now and defined later, gets its own `increment` in front of the
 * inherited one, which reports what it did once it did it. A report that throws never fails the write.
 */
export function reportIncrements(sequelize: Sequelize, wanted: (model: ModelStatic<Model>) => boolean, incremented: Incremented, onError: (error: unknown) => void): void {
  const wrap = (model: ModelStatic<Model>) => {
    if (!wanted(model)) return;
    const increment = model.increment as ((fields: IncrementFields, options?: IncrementOptions) => Promise<unknown>) & { [WRAPPED]?: true };
    if (increment[WRAPPED]) return;
    const wrapped = async function reportedIncrement(this: ModelStatic<Model>, fields: IncrementFields, options: IncrementOptions = {}) {
      const result = await increment.call(this, fields, options);
      try {
        incremented(this, fields, options, result);
      } catch (error) {
        onError(error);
      }
      return result;
    };
    Object.defineProperty(model, 'increment', { value: Object.assign(wrapped, { [WRAPPED]: true as const }), writable: true, configurable: true });
  };
  for (const model of Object.values(sequelize.models)) wrap(model);
  sequelize.addHook('afterDefine', 'audit-trail.increments', (model) => wrap(model as ModelStatic<Model>));
}

/** `{ field: signed amount }`: what each recorded field went up (or, negative, down) by. */
export function amountsOf(fields: IncrementFields, options: IncrementOptions, recorded: readonly string[]): Record<string, number> {
  const sign = options.increment === false ? -1 : 1;
  const by = options.by ?? 1;
  const given: Record<string, number> =
    typeof fields === 'string'
      ? { [fields]: by }
      : Array.isArray(fields)
        ? Object.fromEntries(fields.map((field: string) => [field, by]))
        : { ...(fields as Record<string, number>) };
  const amounts: Record<string, number> = {};
  for (const [field, amount] of Object.entries(given)) if (recorded.includes(field)) amounts[field] = sign * amount;
  return amounts;
}

/** Rows changed: `Model.increment` resolves to `[[rows, count]]` on PostgreSQL and SQLite alike. */
export function incrementedCount(result: unknown): number | undefined {
  const first: unknown = Array.isArray(result) ? result[0] : undefined;
  return Array.isArray(first) && typeof first[1] === 'number' ? first[1] : undefined;
}
