import { Sequelize } from 'sequelize';
import { AuditTrailError } from '../errors.js';

const BUCKETS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

// SQLite has no date_trunc; strftime over the stored text gives the same UTC ISO strings.
const SQLITE_FORMATS: Record<Bucket, readonly string[]> = {
  minute: ['%Y-%m-%dT%H:%M:00Z'],
  hour: ['%Y-%m-%dT%H:00:00Z'],
  day: ['%Y-%m-%dT00:00:00Z'],
  // ISO weeks start on Monday, as date_trunc('week') does: forward to Sunday, back six days.
  week: ['%Y-%m-%dT00:00:00Z', 'weekday 0', '-6 days'],
  month: ['%Y-%m-01T00:00:00Z'],
};

/** The start of the bucket holding each row, as an ISO 8601 UTC string on every dialect. */
export function bucketStart(dialect: string, bucket: unknown) {
  if (!BUCKETS.includes(bucket as Bucket)) {
    throw new AuditTrailError('invalid_query', `bucket must be one of ${BUCKETS.join(', ')}; got ${JSON.stringify(bucket)}.`);
  }
  const unit = bucket as Bucket;
  const { fn, col, literal } = Sequelize;
  if (dialect === 'sqlite') {
    const [format, ...modifiers] = SQLITE_FORMATS[unit];
    return fn('strftime', format, col('timestamp'), ...modifiers);
  }
  // AT TIME ZONE 'UTC' keeps the session's time zone out of the answer.
  return fn('to_char', fn('date_trunc', unit, literal(`"timestamp" AT TIME ZONE 'UTC'`)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
}
