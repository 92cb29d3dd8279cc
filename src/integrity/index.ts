import type { Sequelize } from 'sequelize';
import { AuditTrailError } from '../errors.js';
import { withPostgresSource } from './postgres-source.js';
import { withSqliteSource } from './sqlite-source.js';
import { verifyChain, type VerifyOptions, type VerifyReport } from './verify.js';

/** `audit.verify()` and `audit-trail verify`: recompute the chain of the trail's database. */
export function verifyTrail({ sequelize }: { readonly sequelize: Sequelize }, options: VerifyOptions = {}): Promise<VerifyReport> {
  const dialect = sequelize.getDialect();
  if (dialect !== 'postgres' && dialect !== 'sqlite') {
    return Promise.reject(new AuditTrailError('invalid_option', `the tamper-evidence chain is written on PostgreSQL and SQLite; this trail is on ${dialect}.`));
  }
  for (const name of ['fromSeq', 'toSeq'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      return Promise.reject(new AuditTrailError('invalid_query', `${name} must be a chain seq, a positive integer; got ${String(value)}.`));
    }
  }
  const withSource = dialect === 'postgres' ? withPostgresSource : withSqliteSource;
  return withSource(sequelize, (source) => verifyChain(source, options));
}
