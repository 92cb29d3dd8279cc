import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { rowOf } from '../support/rows.js';

const database = useTestDatabase();
let trail: AuditTrail;
let sequelize: Sequelize;

beforeAll(async () => {
  const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
  trail = createAuditTrail({ database: database.url, logger: false, spillDir });
  await trail.ready();
  ({ sequelize } = await trail.store());
});
afterAll(() => trail.close());

// Everything an array literal gives meaning to: quotes, backslashes, braces, commas, blanks, the word NULL.
const AWKWARD = ['say "hi"', 'C:\\temp\\', '{a,b}', ' lead and trail ', 'NULL', '', 'ünï 😀 \\"'];

it('W40 stores values that array literals give meaning to exactly as recorded', async () => {
  // The PostgreSQL fast path sends each column as one array literal, which unnest takes apart again.
  const events: AuditEvent[] = Array.from({ length: 70 }, (_, i) => {
    const text = AWKWARD[i % AWKWARD.length]!;
    return {
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)),
      userId: text || 'u',
      username: text,
      userRoles: [text, 'reader'],
      actionType: 'POST',
      resource: `/items/${text}`,
      outcome: 'success',
      ipAddress: null,
      userAgent: text,
      requestId: `literal-${i}`,
      requestData: JSON.stringify({ body: { text, nested: [text, null, 1.5] } }),
      responseStatus: i % 2 === 0 ? null : 201,
      errorMessage: i % 2 === 0 ? text : null,
      durationMs: i,
    };
  });
  for (const event of events) trail.record(event);
  await trail.flush();

  for (const event of events) {
    const row = await rowOf(sequelize, event.requestId!);
    expect(row).toMatchObject({
      user_id: event.userId,
      username: event.username,
      user_roles: event.userRoles,
      resource: event.resource,
      ip_address: null,
      user_agent: event.userAgent,
      request_data: JSON.parse(event.requestData!),
      response_status: event.responseStatus,
      error_message: event.errorMessage,
      duration_ms: event.durationMs,
    });
    expect(new Date(row.timestamp as unknown as string).getTime()).toBe(event.timestamp.getTime());
  }
});
