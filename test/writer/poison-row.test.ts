import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { useTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/memory-logger.js';
import { rowsByRequestId } from '../support/rows.js';

const database = useTestDatabase();
const logger = memoryLogger();
let trail: AuditTrail;
let sequelize: Sequelize;
const dropped: Array<{ reason: string; count: number }> = [];

beforeAll(async () => {
  const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
  trail = createAuditTrail({ database: database.url, logger, spillDir, flushIntervalMs: 60_000 });
  trail.telemetry.on('dropped', (drop) => dropped.push(drop));
  await trail.ready();
  ({ sequelize } = await trail.store());
});
afterAll(() => trail.close());

function event(batch: string, index: number): AuditEvent {
  return {
    timestamp: new Date(),
    userId: 'u1',
    username: 'user one',
    userRoles: ['reader'],
    actionType: 'POST',
    resource: `/items/${index}`,
    outcome: 'success',
    ipAddress: '10.0.0.1',
    userAgent: 'poison-test',
    requestId: `${batch}-${index}`,
    requestData: JSON.stringify({ body: { index } }),
    responseStatus: 201,
    errorMessage: null,
    durationMs: 3,
  };
}

/** Records 500 events, the 137th replaced by `poison`; they fill exactly one batch. */
async function batchWithOnePoisonRow(batch: string, poison: (event: AuditEvent) => AuditEvent) {
  for (let i = 0; i < 500; i++) trail.record(i === 137 ? poison(event(batch, i)) : event(batch, i));
  await trail.flush();
  const [rows] = await sequelize.query(`SELECT request_id, request_data FROM user_actions WHERE request_id LIKE '${batch}-%'`);
  return rows as Array<{ request_id: string; request_data: { body: { index: number } } | null }>;
}

describe('one unwritable row in a batch of 500', () => {
  it('W10 stores the 499 good rows, and the bad one with the refused field replaced and a note', async () => {
    // JSONB refuses \u0000: the capture path strips it, a hand-made event need not.
    const rows = await batchWithOnePoisonRow('nul', (e) => ({ ...e, requestData: JSON.stringify({ body: 'a\u0000b' }) }));
    const good = rows.filter((row) => row.request_id !== 'nul-137');
    expect(good).toHaveLength(499);
    expect(good.every((row) => row.request_data?.body.index === Number(row.request_id.slice(4)))).toBe(true);
    const [bad] = await rowsByRequestId(sequelize, 'nul-137');
    expect(bad).toMatchObject({ request_data: null, error_message: expect.stringMatching(/^\[audit-trail: requestData could not be stored/) });
    expect(logger.text()).toMatch(/stored with requestData replaced/);
  });

  it('W11 stores the 499 good rows and counts a row nothing can save as dropped, with the reason logged', async () => {
    const rows = await batchWithOnePoisonRow('date', (e) => ({ ...e, timestamp: new Date(Number.NaN) }));
    expect(rows.map((row) => row.request_id).sort()).toEqual(
      Array.from({ length: 500 }, (_, i) => `date-${i}`)
        .filter((id) => id !== 'date-137')
        .sort(),
    );
    expect(dropped).toEqual([{ reason: 'unwritable', count: 1 }]);
    expect(logger.text()).toMatch(/request date-137\) is unwritable: Invalid time value/);
  });
});
