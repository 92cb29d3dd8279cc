import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UserActionRow } from '../../src/store/models.js';
import type { AuditTrail } from '../../src/trail.js';

const HOUR = 3_600_000;
const USERS = [
  { user_id: 'u-1', username: 'acika' },
  { user_id: 'u-2', username: 'bora' },
  { user_id: 'u-3', username: 'cvija' },
];
const OUTCOMES = ['success', 'success', 'error', 'permission_denied', 'success'];
const METHODS = ['GET', 'POST', 'DELETE', 'GET'];

/**
 * 120 rows over the last ten days, the same on every call for one `now`. Every fourth row shares its
 * timestamp with the previous one, so paging must break ties on id. Ids are 1..120 in this order.
 */
export function seedRows(now: number): Array<UserActionRow & { id: number }> {
  return Array.from({ length: 120 }, (_, i) => {
    const user = USERS[i % USERS.length]!;
    const outcome = OUTCOMES[i % OUTCOMES.length]!;
    const offset = (i - (i % 4 === 3 ? 1 : 0)) * 2 * HOUR + 17 * 60_000; // off the hour, so windows never split a row
    return {
      id: i + 1,
      timestamp: new Date(now - offset),
      ...user,
      user_roles: ['get-authors'],
      action_type: METHODS[i % METHODS.length]!,
      resource: i % 2 === 0 ? `/authors/${i}` : `/books/${i}`,
      outcome,
      ip_address: `10.0.0.${i % 5}`,
      user_agent: 'seed/1.0',
      request_id: `req-${i}`,
      request_data: { route: i % 2 === 0 ? '/authors/:id' : '/books/:id' },
      response_status: outcome === 'success' ? 200 : outcome === 'error' ? 500 : 403,
      error_message: outcome === 'error' ? 'kaboom' : null,
      duration_ms: (i * 137) % 3_000,
    };
  });
}

/** Inserts rows in order into an empty table, so the database gives them ids 1..n as seedRows numbered them. */
export async function insertRows(trail: AuditTrail, rows: UserActionRow[]): Promise<void> {
  const { models } = await trail.store();
  await models.UserAction.bulkCreate(rows.map(({ id: _id, ...row }) => row));
}

/** A `sqlite:` URL for a fresh file in a temporary folder. */
export function sqliteUrl(): string {
  return `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), 'audit-trail-')), 'audit.sqlite')}`;
}

/** Rows as the query API orders them: newest first, ties by id. */
export function newestFirst<T extends { timestamp: Date; id: number }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id);
}
