import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { createAuditTrail, type AuditTrail } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { createMigrator } from '../../src/store/migrate.js';
import { useTestDatabase } from '../support/database.js';
import { insertRows, seedRows, sqliteUrl } from '../support/seed-actions.js';

const postgres = useTestDatabase();
const DAY = 86_400_000;
const REFUSAL = /user_actions is append-only: UPDATE and DELETE are refused/;

const DIALECTS = [
  { name: 'PostgreSQL', url: () => postgres.url },
  { name: 'SQLite', url: sqliteUrl },
];

/**
 * The database's own message. Sequelize reports SQLite's trigger abort (SQLITE_CONSTRAINT) as a
 * UniqueConstraintError "Validation error" and keeps SQLite's message in `parent`.
 */
async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (thrown: { message: string; parent?: { message: string } }) => thrown,
  );
  if (!error) throw new Error('the statement was not refused');
  return `${error.message} ${error.parent?.message ?? ''}`;
}

describe.each(DIALECTS)('user_actions is append-only on $name', ({ url }) => {
  let trail: AuditTrail;
  const rows = seedRows(Date.now()); // 120 rows, two hours apart: ten days back
  beforeAll(async () => {
    trail = createAuditTrail({ database: url(), logger: false });
    await insertRows(trail, rows);
  });
  afterAll(() => trail.close());

  const count = async () => (await trail.store()).models.UserAction.count();

  it('I01 refuses an UPDATE through Sequelize, on one row or many', async () => {
    const { models } = await trail.store();
    expect(await refusal(models.UserAction.update({ username: 'mallory' }, { where: { id: 1 } }))).toMatch(REFUSAL);
    const row = await models.UserAction.findByPk(2);
    row!.set('outcome', 'permission_denied');
    expect(await refusal(row!.save())).toMatch(REFUSAL);
    expect(await models.UserAction.count({ where: { username: 'mallory' } })).toBe(0);
  });

  it('I02 refuses UPDATE and DELETE in raw SQL, and Model.destroy', async () => {
    const { sequelize, models } = await trail.store();
    expect(await refusal(sequelize.query(`UPDATE user_actions SET outcome = 'success' WHERE outcome = 'error'`))).toMatch(REFUSAL);
    expect(await refusal(sequelize.query('DELETE FROM user_actions WHERE id = 3'))).toMatch(REFUSAL);
    expect(await refusal(models.UserAction.destroy({ where: {} }))).toMatch(REFUSAL);
    expect(await count()).toBe(rows.length);
  });

  it('I03 still accepts inserts', async () => {
    await trail.record({ ...rowEvent(), requestId: 'after-protection' });
    await trail.flush();
    expect((await trail.query({ requestId: 'after-protection' })).data).toHaveLength(1);
  });

  it('I04 a dry run counts and deletes nothing', async () => {
    const result = await trail.prune({ olderThan: '5d', dryRun: true });
    expect(result.wouldDelete).toBe(rows.filter((r) => r.timestamp.getTime() < Date.now() - 5 * DAY).length);
    expect(result.deleted).toBe(0);
    expect(await count()).toBe(rows.length + 1);
  });

  it('I05 prune deletes old rows through its door, in bounded batches, and shuts the door behind it', async () => {
    const before = await count();
    const old = rows.filter((r) => r.timestamp.getTime() < Date.now() - 5 * DAY).length;
    const { deleted, cutoff } = await trail.prune({ olderThan: '5d', batchSize: 7 });
    expect(deleted).toBe(old);
    expect(await count()).toBe(before - old);
    expect((await trail.query({ to: cutoff, limit: 10 })).data).toEqual([]);
    const { sequelize } = await trail.store();
    expect(await refusal(sequelize.query('DELETE FROM user_actions'))).toMatch(REFUSAL);
    expect(await trail.prune({ olderThan: '5d' })).toMatchObject({ deleted: 0 });
  });

  it('I05b refuses a cut-off in the future or less than a day ago unless forced, saying how to force it', async () => {
    const before = await count();
    for (const olderThan of ['2999-01-01', new Date(Date.now() + 60_000), '1h', '0s']) {
      await expect(trail.prune({ olderThan })).rejects.toThrow(
        expect.objectContaining({ code: 'invalid_query', message: expect.stringMatching(/^prune refused: .*(in the future|less than a day ago).*Pass force: true/) }),
      );
    }
    expect(await count()).toBe(before);
    // Everything but the chain's newest batch, which stays so that the chain keeps a start.
    const { sequelize } = await trail.store();
    const [newest] = await sequelize.query<{ rows: number }>('SELECT row_count AS "rows" FROM audit_chain ORDER BY seq DESC LIMIT 1', { type: QueryTypes.SELECT });
    expect(await trail.prune({ olderThan: '2999-01-01', dryRun: true, force: true })).toMatchObject({ wouldDelete: before - Number(newest!.rows) });
  });

  it('I06 the migration comes down cleanly and goes back up', async () => {
    const { sequelize } = await trail.store();
    const migrator = createMigrator(sequelize, silentLogger);
    const protect = MIGRATIONS.find((m) => m.name.startsWith('7d1b3e9f0a62'))!;
    const newer = MIGRATIONS.slice(MIGRATIONS.indexOf(protect) + 1);
    await migrator.down({ to: protect.name });
    await sequelize.query(`UPDATE user_actions SET user_agent = 'unprotected' WHERE id = (SELECT MAX(id) FROM user_actions)`);
    await migrator.up();
    expect((await migrator.executed()).map((m) => m.name).slice(-1 - newer.length)).toEqual([protect, ...newer].map((m) => m.name));
    expect(await refusal(sequelize.query('DELETE FROM user_actions'))).toMatch(REFUSAL);
    const [{ n }] = (await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM user_actions WHERE user_agent = 'unprotected'`, { type: QueryTypes.SELECT })) as [
      { n: number },
    ];
    expect(Number(n)).toBe(1);
  });
});

function rowEvent() {
  return {
    timestamp: new Date(),
    userId: 'u-9',
    username: 'zora',
    userRoles: [],
    actionType: 'GET',
    resource: '/ok',
    outcome: 'success' as const,
    ipAddress: null,
    userAgent: null,
    requestId: null,
    requestData: null,
    responseStatus: 200,
    errorMessage: null,
    durationMs: 3,
  };
}
