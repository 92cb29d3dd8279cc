import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { createAuditTrail } from '../../src/index.js';
import { rowTextOf } from '../../src/writer/row-text.js';
import { useTestDatabase } from '../support/database.js';
import { sqliteUrl } from '../support/seed-actions.js';

const postgres = useTestDatabase();

const DIALECTS = [
  { name: 'PostgreSQL', url: () => postgres.url },
  { name: 'SQLite', url: sqliteUrl },
];

const STORED = { query: { page: '2' }, route: '/items/:id', body: { name: 'Ada', password: '[REDACTED]' } };

/**
 * A spill line as each version and dialect wrote it: `requestData` an object before it became JSON text;
 * a PostgreSQL trail now spills the row's text (src/writer/row-text.ts).
 */
function line(requestId: string, requestData: unknown, asRowText = false): string {
  const event = {
    timestamp: new Date('2026-01-02T03:04:05.678Z'),
    userId: 'u1',
    username: 'ada',
    userRoles: ['reader'],
    actionType: 'POST',
    resource: '/items/7',
    outcome: 'success',
    ipAddress: '10.0.0.1',
    userAgent: 'spill-test',
    requestId,
    requestData,
    responseStatus: 201,
    errorMessage: null,
    durationMs: 3,
  };
  return `${JSON.stringify({ id: crypto.randomUUID(), event: asRowText ? rowTextOf(event as AuditEvent) : event })}\n`;
}

describe.each(DIALECTS)('spill replay on $name', ({ url }) => {
  it('W70 replays lines of the version that spilled requestData as an object, of this one, and row text', async () => {
    const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    // A segment of a process that is gone (pid 999999), as a crash would leave it.
    const segment = path.join(spillDir, '000000000000001-999999-deadbeef-000000.jsonl');
    const suffix = crypto.randomUUID().slice(0, 8);
    const rowText = line(`row-${suffix}`, JSON.stringify(STORED), true);
    writeFileSync(segment, line(`old-${suffix}`, STORED) + line(`new-${suffix}`, JSON.stringify(STORED)) + line(`none-${suffix}`, null) + rowText);
    const trail = createAuditTrail({ database: url(), logger: false, spillDir });
    try {
      await trail.ready();
      // Claimed (renamed) at once, then deleted once stored.
      for (let waited = 0; readdirSync(spillDir).length > 0 && waited < 10_000; waited += 50) await sleep(50);
      expect(readdirSync(spillDir)).toEqual([]);
      const read = async (requestId: string) => (await trail.query({ requestId })).data.map((entry) => entry.requestData);
      expect(await read(`old-${suffix}`)).toEqual([STORED]);
      expect(await read(`new-${suffix}`)).toEqual([STORED]);
      expect(await read(`none-${suffix}`)).toEqual([null]);
      expect(await read(`row-${suffix}`)).toEqual([STORED]);
    } finally {
      await trail.close();
    }
  });
});
