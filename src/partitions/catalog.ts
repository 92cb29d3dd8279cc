import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** The tables partitioned on "timestamp" when partitioning is on; only user_actions is pruned. */
export const PARTITIONED_TABLES = ['user_actions', 'user_action_changes'] as const;

export interface Partition {
  readonly name: string;
  /** Null for MINVALUE (the table that was there before partitioning) or for the default partition. */
  readonly from: Date | null;
  readonly to: Date | null;
  readonly isDefault: boolean;
}

export const defaultPartitionOf = (table: string) => `${table}_default`;
/** What the table that was there before partitioning is called once it is the first partition. */
export const initialPartitionOf = (table: string) => `${table}_initial`;

/** Whether `table` is a partitioned table; false when it is a plain table or does not exist. */
export async function isPartitioned(sequelize: Sequelize, table: string, transaction?: Transaction): Promise<boolean> {
  const rows = await sequelize.query<{ kind: string }>(`SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass(:table)`, {
    type: QueryTypes.SELECT,
    replacements: { table },
    transaction,
  });
  return rows[0]?.kind === 'p';
}

/** `table`'s partitions, oldest first, the default partition last. */
export async function partitionsOf(sequelize: Sequelize, table: string, transaction?: Transaction): Promise<Partition[]> {
  const rows = await sequelize.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:table)`,
    { type: QueryTypes.SELECT, replacements: { table }, transaction },
  );
  return rows.map(({ name, bound }) => ({ name, ...boundsOf(bound) })).sort((a, b) => order(a) - order(b));
}

const order = (partition: Partition) => (partition.isDefault ? Infinity : (partition.from?.getTime() ?? -Infinity));

/** Parses `FOR VALUES FROM ('2026-12-06 00:00:00+00') TO (...)`, `FROM (MINVALUE)` and `DEFAULT`. */
function boundsOf(bound: string): Omit<Partition, 'name'> {
  if (bound === 'DEFAULT') return { from: null, to: null, isDefault: true };
  const [, from, to] = /^FOR VALUES FROM \((.+)\) TO \((.+)\)$/.exec(bound) ?? [];
  if (from === undefined || to === undefined) throw new Error(`unexpected partition bound: ${bound}`);
  return { from: instantOf(from), to: instantOf(to), isDefault: false };
}

function instantOf(literal: string): Date | null {
  if (literal === 'MINVALUE' || literal === 'MAXVALUE') return null;
  // '2026-12-06 00:00:00+00' or '2026-12-06 00:00:00.5+05:30', in the session's time zone.
  const text = literal
    .replace(/^'|'$/g, '')
    .replace(' ', 'T')
    .replace(/([+-]\d\d)$/, '$1:00');
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) throw new Error(`unexpected partition bound: ${literal}`);
  return instant;
}

/** `user_actions_p20261206` for a partition from midnight, with the time of day when it starts later. */
export function partitionName(table: string, from: Date): string {
  const iso = from.toISOString();
  const day = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${table}_p${day}${time === '000000' ? '' : `_${time}`}`;
}

/** Whether `name` is how a partition of `table` that a prune may drop is named: the first one, or an interval's. */
export function isDroppablePartitionName(table: string, name: string): boolean {
  return name === initialPartitionOf(table) || new RegExp(`^${table}_p\\d{8}(?:_\\d{6})?$`).test(name);
}

/** The append-only guard every partition carries: statement triggers on the parent do not fire for a statement on a partition. */
export function appendOnlyTrigger(partition: string): string {
  return `CREATE TRIGGER ${partition}_append_only BEFORE UPDATE OR DELETE ON ${partition}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_protect_user_actions()`;
}
