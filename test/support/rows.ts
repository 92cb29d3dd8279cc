import type { Sequelize } from 'sequelize';
import type { UserActionRow } from '../../src/store/models.js';

export async function rowsByRequestId(sequelize: Sequelize, requestId: string): Promise<UserActionRow[]> {
  const [rows] = await sequelize.query('SELECT * FROM user_actions WHERE request_id = :requestId', { replacements: { requestId } });
  return rows as UserActionRow[];
}

/** The one row a request left; fails the test if there is not exactly one. */
export async function rowOf(sequelize: Sequelize, requestId: string): Promise<UserActionRow> {
  const rows = await rowsByRequestId(sequelize, requestId);
  if (rows.length !== 1) throw new Error(`expected one user_actions row for request ${requestId}, found ${rows.length}`);
  return rows[0]!;
}
