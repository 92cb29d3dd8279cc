import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../adapters/express.js';
import { cli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { readyHost, type changesTrail, type hostModels } from './host.js';

const database = useTestDatabase();
let opened: ReturnType<typeof changesTrail>;
let models: ReturnType<typeof hostModels>;

beforeAll(async () => {
  ({ opened, models } = await readyHost(database.url));
  auditTrail(opened.trail).trackChanges(models.sequelize, { models: ['Invoice'] });
});
afterAll(async () => {
  await opened.trail.close();
  await models.sequelize.close();
});

describe('audit-trail history', () => {
  it("CL01 prints a record's changes newest first, as a table or JSON lines; a missing record id is a usage error", async () => {
    const invoice = await models.Invoice.create({ number: 'cli', amount: 1 });
    await invoice.update({ amount: 2 });
    await opened.trail.flush();
    const id = String(invoice.get('id'));
    const table = await cli(['history', 'Invoice', id, '--database', database.url]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIMESTAMP\s+USER\s+OPERATION\s+CHANGES/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[2])).toEqual(['update', 'create']);
    const json = await cli(['history', 'Invoice', id, '--json', '--database', database.url]);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).changes.amount),
    ).toEqual([[1, 2], 1]);
    expect((await cli(['history', 'Invoice', '--database', database.url])).code).toBe(2);
  });
});
