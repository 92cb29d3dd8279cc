import type { Sequelize } from 'sequelize';

/**
 * `count` rows straight into user_actions by generate_series, one a second back from now, each with a
 * request body of about `bodyBytes` bytes: thousands of rows in seconds, for exports and paging at scale.
 */
export async function insertBulkRows(sequelize: Sequelize, count: number, bodyBytes = 200): Promise<void> {
  await sequelize.query(
    `INSERT INTO user_actions (timestamp, user_id, username, user_roles, action_type, resource, outcome, ip_address,
       user_agent, request_id, request_data, response_status, error_message, duration_ms)
     SELECT now() - make_interval(secs => n), 'u-' || (n % 7), 'user' || (n % 7), '["reader"]'::jsonb, 'GET',
       '/items/' || n, 'success', '10.0.0.1', 'bulk/1.0', 'bulk-' || n,
       jsonb_build_object('route', '/items/:id', 'pad', repeat('x', :bodyBytes)), 200, NULL, n % 500
     FROM generate_series(1, :count) AS n`,
    { replacements: { count, bodyBytes } },
  );
}
