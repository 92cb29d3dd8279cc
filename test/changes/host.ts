import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataTypes, Sequelize, type Options } from 'sequelize';
import { createAuditTrail, type AuditTrailOptions } from '../../src/index.js';
import { memoryLogger } from '../support/memory-logger.js';

/** The host's own models, on its own Sequelize: a paranoid invoice, a customer with secrets, a composite key. */
export function hostModels(url: string, options: Options = {}) {
  const sequelize = new Sequelize(url, { logging: false, ...options });
  const Invoice = sequelize.define('Invoice', { number: DataTypes.STRING, amount: DataTypes.INTEGER, notes: DataTypes.JSONB }, { paranoid: true });
  const Customer = sequelize.define('Customer', { name: { type: DataTypes.STRING, unique: true }, password: DataTypes.STRING, hash: DataTypes.STRING });
  const Line = sequelize.define('Line', {
    invoiceId: { type: DataTypes.INTEGER, primaryKey: true },
    position: { type: DataTypes.INTEGER, primaryKey: true },
    text: DataTypes.STRING,
  });
  const Untracked = sequelize.define('Untracked', { value: DataTypes.STRING });
  return { sequelize, Invoice, Customer, Line, Untracked };
}

export function changesTrail(url: string, options: AuditTrailOptions = {}) {
  const logger = memoryLogger();
  const spillDir = mkdtempSync(path.join(tmpdir(), 'audit-changes-'));
  return { trail: createAuditTrail({ database: url, logger, spillDir, flushIntervalMs: 20, ...options }), logger, spillDir };
}

/** A ready trail and the host's synced models, both on `url`'s database. */
export async function readyHost(url: string) {
  const opened = changesTrail(url);
  await opened.trail.ready();
  const models = hostModels(url);
  await models.sequelize.sync();
  return { opened, models };
}

export interface ChangeRow {
  change_id: string;
  event_id: string | null;
  request_id: string | null;
  timestamp: Date;
  user_id: string;
  username: string;
  model: string;
  table_name: string;
  record_id: string | null;
  operation: string;
  changes: Record<string, unknown>;
}

export async function changeRows(sequelize: Sequelize, where = 'TRUE'): Promise<ChangeRow[]> {
  const [rows] = await sequelize.query(`SELECT * FROM user_action_changes WHERE ${where} ORDER BY timestamp, id`);
  return rows as ChangeRow[];
}
