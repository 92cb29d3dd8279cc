import { Op } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditTrail } from '../../adapters/express.js';
import { useTestDatabase } from '../support/database.js';
import { changeRows, changesTrail, hostModels } from './host.js';

const database = useTestDatabase();
let host: ReturnType<typeof hostModels>;
let opened: ReturnType<typeof changesTrail>;
let audit: ReturnType<typeof auditTrail>;

beforeAll(async () => {
  opened = changesTrail(database.url);
  await opened.trail.ready();
  host = hostModels(database.url);
  await host.sequelize.sync();
  audit = auditTrail(opened.trail, { sanitize: { redactKeys: ['secretNote'] } });
  audit.trackChanges(host.sequelize, { models: ['Invoice', 'Customer', 'Line'], exclude: { Customer: ['hash'] } });
});
afterAll(async () => {
  await opened.trail.close();
  await host.sequelize.close();
});

async function stored(where: string) {
  await opened.trail.flush();
  return changeRows(host.sequelize, where);
}

let marker = 0;
beforeEach(() => {
  marker++;
});

describe('trackChanges: each write through a tracked model, outside requests', () => {
  it('CH01 instance create, update, destroy and restore (paranoid), as system', async () => {
    const invoice = await host.Invoice.create({ number: `A-${marker}`, amount: 10 });
    await invoice.update({ amount: 12 });
    await invoice.destroy();
    await invoice.restore();
    const rows = await stored(`model = 'Invoice' AND record_id = '${invoice.get('id') as number}'`);
    expect(rows.map((row) => row.operation)).toEqual(['create', 'update', 'delete', 'restore']);
    expect(rows.every((row) => row.user_id === 'system' && row.event_id === null && row.table_name === 'Invoices')).toBe(true);
    expect(rows[0]!.changes).toMatchObject({ number: `A-${marker}`, amount: 10 });
    // Only the changed fields, as [before, after].
    expect(rows[1]!.changes.amount).toEqual([10, 12]);
    expect(rows[1]!.changes).not.toHaveProperty('number');
    expect(rows[2]!.changes).toMatchObject({ amount: 12 });
  });

  it('CH02 bulkCreate records one create per row; a composite key is JSON', async () => {
    await host.Line.bulkCreate([
      { invoiceId: marker, position: 1, text: 'one' },
      { invoiceId: marker, position: 2, text: 'two' },
    ]);
    const rows = await stored(`model = 'Line' AND record_id LIKE '%"invoiceId":${marker},%'`);
    expect(rows.map((row) => [row.operation, JSON.parse(row.record_id!)])).toEqual([
      ['create', { invoiceId: marker, position: 1 }],
      ['create', { invoiceId: marker, position: 2 }],
    ]);
  });

  it('CH03 Model.update and Model.destroy without individual hooks: bulk rows with where and set', async () => {
    await host.Invoice.bulkCreate([
      { number: `B-${marker}`, amount: 1 },
      { number: `B-${marker}`, amount: 2 },
    ]);
    await host.Invoice.update({ amount: 5 }, { where: { number: `B-${marker}`, amount: { [Op.lt]: 10 } } });
    await host.Invoice.destroy({ where: { number: `B-${marker}` } });
    const rows = await stored(`operation LIKE 'bulk_%' AND changes::text LIKE '%"B-${marker}"%'`);
    expect(rows.map((row) => row.operation)).toEqual(['bulk_update', 'bulk_delete']);
    // A paranoid model's where is Sequelize's, with its deletedAt clause.
    expect(rows[0]!.changes.where).toEqual({ and: [{ deletedAt: { eq: null } }, { number: `B-${marker}`, amount: { lt: 10 } }] });
    expect(rows[0]!.changes.set).toMatchObject({ amount: 5 });
    expect(rows.map((row) => row.changes.affected)).toEqual([2, 2]);
    expect(rows[0]!.record_id).toBeNull();
  });

  it("CH03b increment and decrement, which run no hooks: an instance's is its update, a model's a bulk update; rolled back, nothing", async () => {
    const [a, b] = await host.Invoice.bulkCreate([
      { number: `I-${marker}`, amount: 1 },
      { number: `I-${marker}`, amount: 1 },
    ]);
    await a!.increment('amount', { by: 3 });
    await b!.decrement(['amount']);
    await host.Invoice.increment({ amount: 10 }, { where: { number: `I-${marker}` } });
    await host.Invoice.decrement('amount', { by: 2, where: { number: `I-${marker}` } });
    await host.sequelize
      .transaction(async (transaction) => {
        await a!.increment('amount', { transaction });
        throw new Error('roll back');
      })
      .catch(() => {});
    const single = await stored(`model = 'Invoice' AND record_id IN ('${String(a!.get('id'))}', '${String(b!.get('id'))}') AND operation = 'update'`);
    expect(single.map((row) => [row.record_id, row.changes])).toEqual([
      [String(a!.get('id')), { increment: { amount: 3 } }],
      [String(b!.get('id')), { increment: { amount: -1 } }],
    ]);
    const bulk = await stored(`operation = 'bulk_update' AND changes::text LIKE '%"I-${marker}"%'`);
    expect(bulk.map((row) => [row.changes.increment, row.changes.affected])).toEqual([
      [{ amount: 10 }, 2],
      [{ amount: -2 }, 2],
    ]);
    expect(bulk[0]!.changes.where).toEqual({ number: `I-${marker}` });
  });

  it('CH04 Model.update and Model.destroy with individualHooks: one row per record, updates with [before, after]', async () => {
    const [a, b] = await host.Invoice.bulkCreate([
      { number: `C-${marker}`, amount: 1 },
      { number: `C-${marker}`, amount: 2 },
    ]);
    await host.Invoice.update({ amount: 7 }, { where: { number: `C-${marker}` }, individualHooks: true });
    await host.Invoice.destroy({ where: { number: `C-${marker}` }, individualHooks: true });
    const ids = [a!.get('id'), b!.get('id')].join(',');
    const rows = await stored(`model = 'Invoice' AND record_id IN ('${ids.split(',').join("','")}') AND operation <> 'create'`);
    expect(rows.map((row) => row.operation).sort()).toEqual(['delete', 'delete', 'update', 'update']);
    const updates = rows.filter((row) => row.operation === 'update').map((row) => row.changes.amount);
    expect(updates).toEqual(
      expect.arrayContaining([
        [1, 7],
        [2, 7],
      ]),
    );
    expect(await stored(`operation LIKE 'bulk_%' AND changes::text LIKE '%"C-${marker}"%'`)).toEqual([]);
  });

  it('CH05 upsert', async () => {
    await host.Customer.upsert({ name: `u-${marker}`, password: 'x' });
    const rows = await stored(`model = 'Customer' AND operation = 'upsert' AND changes->>'name' = 'u-${marker}'`);
    expect(rows).toHaveLength(1);
  });

  it("CH06 a password column is redacted, an excluded column left out, the mount's own redactKeys apply", async () => {
    const customer = await host.Customer.create({ name: `p-${marker}`, password: 'hunter2', hash: 'abc' });
    await customer.update({ password: 'hunter3', hash: 'def', name: `p2-${marker}` });
    const rows = await stored(`model = 'Customer' AND record_id = '${customer.get('id') as number}'`);
    expect(rows[0]!.changes).toMatchObject({ name: `p-${marker}`, password: '[REDACTED]' });
    expect(rows[0]!.changes).not.toHaveProperty('hash');
    expect(rows[1]!.changes.password).toBe('[REDACTED]');
    expect(rows[1]!.changes.name).toEqual([`p-${marker}`, `p2-${marker}`]);
    expect(JSON.stringify(rows)).not.toMatch(/hunter|abc|def/);
    const invoice = await host.Invoice.create({ number: `S-${marker}`, notes: { secretNote: 'shh', ok: 1 } });
    const [created] = await stored(`model = 'Invoice' AND record_id = '${invoice.get('id') as number}'`);
    expect(created!.changes.notes).toEqual({ secretNote: '[REDACTED]', ok: 1 });
  });

  it('CH07 a rolled-back transaction records nothing; a committed one records at commit', async () => {
    const t = await host.sequelize.transaction();
    await host.Invoice.create({ number: `R-${marker}` }, { transaction: t });
    await t.rollback();
    await host.sequelize.transaction(async (transaction) => {
      await host.Invoice.create({ number: `K-${marker}` }, { transaction });
      await opened.trail.flush();
      // Not before the commit.
      expect(await changeRows(host.sequelize, `changes->>'number' = 'K-${marker}'`)).toEqual([]);
    });
    expect(await stored(`changes->>'number' = 'R-${marker}'`)).toEqual([]);
    expect(await stored(`changes->>'number' = 'K-${marker}'`)).toHaveLength(1);
  });

  it('CH08 nested transactions: a rolled-back savepoint records nothing, a committed one records with its parent', async () => {
    await host.sequelize.transaction(async (outer) => {
      await host.Invoice.create({ number: `N1-${marker}` }, { transaction: outer });
      await host.sequelize.transaction({ transaction: outer }, async (inner) => {
        await host.Invoice.create({ number: `N2-${marker}` }, { transaction: inner });
      });
      await host.sequelize
        .transaction({ transaction: outer }, async (inner) => {
          await host.Invoice.create({ number: `N3-${marker}` }, { transaction: inner });
          throw new Error('roll back the savepoint');
        })
        .catch(() => {});
    });
    const rows = await stored(`changes->>'number' LIKE 'N_-${marker}'`);
    expect(rows.map((row) => row.changes.number)).toEqual([`N1-${marker}`, `N2-${marker}`]);
    const failed = await host.sequelize.transaction();
    await host.sequelize.transaction({ transaction: failed }, async (inner) => {
      await host.Invoice.create({ number: `N4-${marker}` }, { transaction: inner });
    });
    await failed.rollback();
    expect(await stored(`changes->>'number' = 'N4-${marker}'`)).toEqual([]);
  });

  it("CH09 untracked models and the trail's own tables record nothing", async () => {
    await host.Untracked.create({ value: `v-${marker}` });
    expect(await stored(`model = 'Untracked'`)).toEqual([]);
  });

  it('CH10 runAs gives the actor; outside it, system', async () => {
    await audit.runAs({ id: 'job-7', username: 'nightly' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await host.Invoice.create({ number: `J-${marker}` });
    });
    await host.Invoice.create({ number: `J2-${marker}` });
    const rows = await stored(`changes->>'number' LIKE 'J%-${marker}'`);
    expect(rows.map((row) => [row.user_id, row.username, row.event_id])).toEqual([
      ['job-7', 'nightly', null],
      ['system', 'system', null],
    ]);
    expect(() => audit.runAs({}, () => 1)).toThrow(/runAs needs a user/);
  });

  it('CH11 a 1 MB JSON column is capped and marked truncated', async () => {
    await host.Invoice.create({ number: `L-${marker}`, notes: { big: 'x'.repeat(1024 * 1024) } });
    const [row] = await stored(`changes->>'number' = 'L-${marker}'`);
    expect(row!.changes.truncated).toBe(true);
    expect(JSON.stringify(row!.changes).length).toBeLessThan(70 * 1024);
  });

  it('CH12 bad options are refused with invalid_option', () => {
    expect(() => audit.trackChanges(host.sequelize, { models: ['Nope'] })).toThrow(/no model named "Nope"/);
    expect(() => audit.trackChanges({} as never)).toThrow(/needs your Sequelize/);
  });
});
