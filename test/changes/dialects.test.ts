import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import cls from 'cls-hooked';
import { DataTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../adapters/express.js';
import { sqliteUrl } from '../support/seed-actions.js';
import { useTestDatabase } from '../support/database.js';
import { changeRows, changesTrail, hostModels } from './host.js';

const database = useTestDatabase();

describe("the host's models on SQLite, the trail on PostgreSQL", () => {
  it('CD01 creates, updates and a rollback on SQLite are recorded (or not) as on PostgreSQL', async () => {
    const opened = changesTrail(database.url);
    await opened.trail.ready();
    const host = new Sequelize({ dialect: 'sqlite', storage: path.join(mkdtempSync(path.join(tmpdir(), 'host-')), 'host.sqlite'), logging: false });
    const Note = host.define('Note', { text: DataTypes.STRING, password: DataTypes.STRING });
    await host.sync();
    auditTrail(opened.trail).trackChanges(host);
    const note = await Note.create({ text: 'one', password: 'p' });
    await note.update({ text: 'two' });
    await host
      .transaction(async (transaction) => {
        await Note.create({ text: 'rolled back' }, { transaction });
        throw new Error('roll back');
      })
      .catch(() => {});
    await opened.trail.flush();
    const rows = await changeRows((await opened.trail.store()).sequelize, `model = 'Note'`);
    expect(rows.map((row) => [row.operation, row.record_id])).toEqual([
      ['create', String(note.get('id'))],
      ['update', String(note.get('id'))],
    ]);
    expect(rows[0]!.changes).toMatchObject({ text: 'one', password: '[REDACTED]' });
    expect(rows[1]!.changes.text).toEqual(['one', 'two']);
    await opened.trail.close();
    await host.close();
  });
});

describe('the trail on SQLite (the portable writer)', () => {
  it("CD02 change rows are stored in the trail's SQLite table, appended only", async () => {
    const opened = changesTrail(sqliteUrl());
    await opened.trail.ready();
    const host = hostModels(database.url);
    await host.sequelize.sync();
    auditTrail(opened.trail).trackChanges(host.sequelize, { models: ['Invoice'] });
    const invoice = await host.Invoice.create({ number: 'lite', amount: 1 });
    await invoice.update({ amount: 2 });
    await opened.trail.flush();
    const { sequelize } = await opened.trail.store();
    const [rows] = await sequelize.query(`SELECT operation, record_id, changes FROM user_action_changes ORDER BY id`);
    expect((rows as Array<{ operation: string; changes: string }>).map((row) => [row.operation, JSON.parse(row.changes).amount])).toEqual([
      ['create', 1],
      ['update', [1, 2]],
    ]);
    // Sequelize reports SQLite's trigger abort as "Validation error", with SQLite's message in `parent`.
    const refusal = (sql: string) =>
      sequelize.query(sql).then(
        () => 'stored',
        (error: { parent?: { message: string } }) => error.parent?.message,
      );
    expect(await refusal('DELETE FROM user_action_changes')).toMatch(/append-only/);
    expect(await refusal(`UPDATE user_action_changes SET operation = 'x'`)).toMatch(/append-only/);
    await opened.trail.close();
    await host.sequelize.close();
  });
});

describe('Sequelize with useCLS', () => {
  let host: ReturnType<typeof hostModels>;
  let opened: ReturnType<typeof changesTrail>;
  beforeAll(async () => {
    Sequelize.useCLS(cls.createNamespace('audit-trail-test'));
    opened = changesTrail(database.url);
    await opened.trail.ready();
    host = hostModels(database.url);
    await host.sequelize.sync();
    auditTrail(opened.trail).trackChanges(host.sequelize, { models: ['Invoice'] });
  });
  afterAll(async () => {
    (Sequelize as unknown as { _cls: unknown })._cls = undefined;
    await opened.trail.close();
    await host.sequelize.close();
  });

  it('CD03 a CLS-managed transaction records at commit, and nothing when it rolls back', async () => {
    await host.sequelize.transaction(async () => {
      await host.Invoice.create({ number: 'cls-commit' });
      await opened.trail.flush();
      expect(await changeRows(host.sequelize, `changes->>'number' = 'cls-commit'`)).toEqual([]);
    });
    await host.sequelize
      .transaction(async () => {
        await host.Invoice.create({ number: 'cls-rollback' });
        throw new Error('roll back');
      })
      .catch(() => {});
    await opened.trail.flush();
    expect(await changeRows(host.sequelize, `changes->>'number' = 'cls-commit'`)).toHaveLength(1);
    expect(await changeRows(host.sequelize, `changes->>'number' = 'cls-rollback'`)).toEqual([]);
  });
});

describe('PostgreSQL immutability', () => {
  it('CD04 UPDATE and DELETE on user_action_changes are refused', async () => {
    const direct = new Sequelize(database.url, { logging: false });
    await expect(direct.query('DELETE FROM user_action_changes')).rejects.toThrow(/append-only/);
    await expect(direct.query(`UPDATE user_action_changes SET operation = 'x'`)).rejects.toThrow(/append-only/);
    await direct.close();
  });
});
