/** The `operation` label of the database metrics; a closed set, so the label stays bounded. */
export type QueryOperation = 'select' | 'insert' | 'update' | 'delete' | 'other';

const OPERATIONS: ReadonlySet<string> = new Set(['select', 'insert', 'update', 'delete']);

/** Sequelize's query types, for statements whose first word does not say (`WITH …`, `SET search_path; …`). */
const TYPE_OPERATIONS: Readonly<Record<string, QueryOperation>> = {
  SELECT: 'select',
  INSERT: 'insert',
  UPSERT: 'insert',
  UPDATE: 'update',
  BULKUPDATE: 'update',
  DELETE: 'delete',
  BULKDELETE: 'delete',
};

/** The operation a statement performs, from its first keyword, else from the Sequelize query type. */
export function operationOf(sql: string, queryType: unknown): QueryOperation {
  const keyword = /^[\s(]*([A-Za-z]+)/.exec(sql.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, ''))?.[1]?.toLowerCase();
  if (keyword !== undefined && OPERATIONS.has(keyword)) return keyword as QueryOperation;
  return (typeof queryType === 'string' ? TYPE_OPERATIONS[queryType] : undefined) ?? 'other';
}

export const STATEMENT_LOG_LIMIT = 500;

// Quoted identifiers are kept; string, dollar-quoted and numeric literals become `?`. Sequelize inlines
// `replacements` and most `where` values as literals, so this is what keeps values out of the log.
const LITERALS = /("(?:[^"]|"")*")|'(?:[^']|'')*'|\$(\w*)\$[\s\S]*?\$\2\$|(?<![\w$.])\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi;

/** The statement as it may be logged: on one line, literal values replaced by `?`, at most 500 characters. */
export function loggableStatement(sql: string): string {
  const redacted = sql
    .replace(LITERALS, (_match, identifier: string | undefined) => identifier ?? '?')
    .replace(/\s+/g, ' ')
    .trim();
  return redacted.length > STATEMENT_LOG_LIMIT ? `${redacted.slice(0, STATEMENT_LOG_LIMIT)}…` : redacted;
}
