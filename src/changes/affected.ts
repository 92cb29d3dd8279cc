import type { QueryInterface } from 'sequelize';

/** A bulk operation's row count, which its after-hook is not told: put on its options by the before-hook, filled in by its statement. */
export class Affected {
  count: number | undefined;
}

export const AFFECTED = Symbol('audit-trail.affected');

const OPTIONS_AT = { bulkUpdate: 3, bulkDelete: 2 } as const;
const WRAPPED = Symbol.for('audit-trail.affected');

/**
 * `Model.update`, `Model.destroy` and `Model.restore` run their statement through the query interface's
 * `bulkUpdate` or `bulkDelete` with the options their hooks see; wrapped, these fill in the options' counter.
 * Nothing else runs through them, so no other query pays for it.
 */
export function countBulkWrites(queryInterface: QueryInterface): void {
  const methods = queryInterface as unknown as Record<keyof typeof OPTIONS_AT, ((...args: unknown[]) => Promise<unknown>) & { [WRAPPED]?: true }>;
  for (const [method, at] of Object.entries(OPTIONS_AT) as Array<[keyof typeof OPTIONS_AT, number]>) {
    const original = methods[method];
    if (original[WRAPPED]) continue;
    const counted = async function countedBulkWrite(this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      const affected = (args[at] as { [AFFECTED]?: Affected } | undefined)?.[AFFECTED];
      // A row count, or with `returning` (PostgreSQL) the rows.
      if (affected) affected.count = typeof result === 'number' ? result : Array.isArray(result) ? result.length : undefined;
      return result;
    };
    methods[method] = Object.assign(counted, { [WRAPPED]: true as const });
  }
}
