import { AuditTrailError, messageOf } from '../errors.js';

/**
 * PostgreSQL's SQLSTATEs for a connection that no retry can fix, with what to do instead: the database
 * does not exist (3D000), the credentials are refused (class 28).
 */
const HOPELESS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^3D000$/, 'does not exist: create it (createdb NAME) or fix the database name in the URL'],
  [/^28/, "refused the credentials: fix the user or password in the URL, or the server's pg_hba.conf"],
];

interface DriverError {
  readonly parent?: { readonly code?: unknown };
  readonly cause?: DriverError;
}

/**
 * The error to give up with at once when retrying cannot help; undefined when a retry might. `error` is
 * Sequelize's (the driver's error is its parent) or our own wrapping it as its cause.
 */
export function hopeless(error: unknown, label: string): AuditTrailError | undefined {
  const thrown = error as DriverError | undefined;
  const code = thrown?.parent?.code ?? thrown?.cause?.parent?.code;
  if (typeof code !== 'string') return undefined;
  const match = HOPELESS.find(([pattern]) => pattern.test(code));
  if (!match) return undefined;
  return new AuditTrailError('connection_failed', `the database at ${label} ${match[1]} (${messageOf(error)}); retrying cannot help.`, { cause: error });
}
