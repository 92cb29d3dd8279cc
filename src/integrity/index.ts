import type { Sequelize } from 'sequelize';
import { AuditTrailError } from '../errors.js';
import { withPostgresSource } from './postgres-source.js';
import { verifyChain, type VerifyOptions, type VerifyReport } from './verify.js';

/** `audit.verify()` and `audit-trail verify`: recompute the chain of the trail's database. */
export function verifyTrail({ sequelize }: { readonly sequelize: Sequelize }, options: VerifyOptions = {}): Promise<VerifyReport> {
  if (sequelize.getDialect() !== 'postgres') {
    return Promise.reject(new AuditTrailError('invalid_option', `the tamper-evidence chain is written on PostgreSQL only; this trail is on ${sequelize.getDialect()}.`));
  }
  for (const name of ['fromSeq', 'toSeq'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      return Promise.reject(new AuditTrailError('invalid_query', `${name} must be a chain seq, a positive integer; got ${String(value)}.`));
    }
  }
  return withPostgresSource(sequelize, (source) => verifyChain(source, options));
}
