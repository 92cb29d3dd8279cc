import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { SqliteChain } from '../integrity/sqlite-chain.js';
import { bulkWriter } from '../writer/bulk-writer.js';
import type { QueuedEvent } from '../writer/queue.js';
import type { RowWriter } from '../writer/row-writer.js';
import { jsonType } from '../store/json-type.js';
import type { ChangeEvent } from './change-event.js';

const CHANGE_MODEL = 'AuditTrailUserActionChange';

/** `user_action_changes` on the trail's Sequelize (prefixed, apart from a host's own models). */
export function changeModel(sequelize: Sequelize): ModelStatic<Model> {
  if (sequelize.isDefined(CHANGE_MODEL)) return sequelize.model(CHANGE_MODEL);
  return sequelize.define(
    CHANGE_MODEL,
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      change_id: { type: DataTypes.UUID, allowNull: false },
      event_id: { type: DataTypes.UUID },
      request_id: { type: DataTypes.STRING(100) },
      timestamp: { type: DataTypes.DATE, allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: false },
      username: { type: DataTypes.STRING(255), allowNull: false },
      model: { type: DataTypes.STRING(255), allowNull: false },
      table_name: { type: DataTypes.STRING(255), allowNull: false },
      record_id: { type: DataTypes.TEXT },
      operation: { type: DataTypes.STRING(20), allowNull: false },
      changes: { type: jsonType(sequelize), allowNull: false },
      chain_seq: { type: DataTypes.BIGINT },
    },
    { tableName: 'user_action_changes', timestamps: false },
  );
}

/** Any dialect (SQLite): one bulkCreate per batch (src/writer/bulk-writer.ts); a change id already stored is skipped. */
export function portableChanges(sequelize: Sequelize, chain?: SqliteChain): RowWriter<ChangeEvent> {
  const rowOf = ({ id, event: e }: QueuedEvent<ChangeEvent>) => ({
    change_id: id,
    event_id: e.eventId,
    request_id: e.requestId,
    timestamp: e.timestamp,
    user_id: e.userId,
    username: e.username,
    model: e.model,
    table_name: e.tableName,
    record_id: e.recordId,
    operation: e.operation,
    changes: JSON.parse(e.changes) as unknown,
  });
  return bulkWriter(changeModel(sequelize), 'user_action_changes', rowOf, chain);
}
