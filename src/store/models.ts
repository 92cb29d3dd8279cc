import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import { jsonType } from './json-type.js';

/** One stored row of `user_actions`, with the reference's snake_case column names. */
export interface UserActionRow {
  id?: number;
  timestamp: Date;
  user_id: string;
  username: string;
  user_roles: string[];
  action_type: string;
  resource: string;
  outcome: string;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  request_data: unknown;
  response_status: number | null;
  error_message: string | null;
  duration_ms: number | null;
  /** Unique when set; NULL on rows written before migration 2c5e8f1a9d34. */
  event_id?: string | null;
  /** The tamper-evidence chain link (batch) the row was stored in; NULL when unchained. */
  chain_seq?: number | string | null;
}

export interface AuthorRow {
  id: number;
  name: string;
}

type UserActionModel = ModelStatic<Model<UserActionRow, Omit<UserActionRow, 'id'>>>;
export type AuthorModel = ModelStatic<Model<AuthorRow, Omit<AuthorRow, 'id'>>>;

export interface Models {
  readonly UserAction: UserActionModel;
  readonly Author: AuthorModel;
}

// Prefixed names keep our models apart from a host's own `UserAction` or `Author` on a shared Sequelize.
const USER_ACTION = 'AuditTrailUserAction';
const AUTHOR = 'AuditTrailAuthor';

/**
 * The reference's indexes (single-column ones, named as Alembic names them, and two composites), and ours.
 * Its index on user_id alone is dropped (migration e8c3a5d1f027): the composites lead with user_id.
 */
export const USER_ACTION_INDEXES = [
  ...['timestamp', 'username', 'action_type', 'outcome', 'request_id'].map((column) => ({
    name: `ix_user_actions_${column}`,
    fields: [column],
  })),
  { name: 'idx_user_timestamp', fields: ['user_id', 'timestamp'] },
  { name: 'idx_user_action', fields: ['user_id', 'action_type'] },
  // Ours, not the reference's: what makes retried and replayed inserts idempotent.
  { name: 'ux_user_actions_event_id', fields: ['event_id'], unique: true },
];

/** The schema itself belongs to the migrations; these models only map it, and a test keeps them in step. */
export function defineModels(sequelize: Sequelize): Models {
  return {
    UserAction: (sequelize.isDefined(USER_ACTION) ? sequelize.model(USER_ACTION) : defineUserAction(sequelize)) as UserActionModel,
    Author: (sequelize.isDefined(AUTHOR) ? sequelize.model(AUTHOR) : defineAuthor(sequelize)) as AuthorModel,
  };
}

function defineUserAction(sequelize: Sequelize) {
  const json = jsonType(sequelize);
  return sequelize.define(
    USER_ACTION,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      timestamp: { type: DataTypes.DATE, allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: false },
      username: { type: DataTypes.STRING(255), allowNull: false },
      user_roles: { type: json, allowNull: false },
      action_type: { type: DataTypes.STRING(100), allowNull: false },
      resource: { type: DataTypes.STRING(500), allowNull: false },
      outcome: { type: DataTypes.STRING(50), allowNull: false },
      ip_address: { type: DataTypes.STRING(45) },
      user_agent: { type: DataTypes.TEXT },
      request_id: { type: DataTypes.STRING(100) },
      request_data: { type: json },
      response_status: { type: DataTypes.INTEGER },
      error_message: { type: DataTypes.TEXT },
      duration_ms: { type: DataTypes.INTEGER },
      event_id: { type: DataTypes.UUID },
      chain_seq: { type: DataTypes.BIGINT },
    },
    { tableName: 'user_actions', timestamps: false, freezeTableName: true, indexes: USER_ACTION_INDEXES },
  );
}

function defineAuthor(sequelize: Sequelize) {
  return sequelize.define(
    AUTHOR,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: { type: 'VARCHAR', allowNull: false },
    },
    { tableName: 'author', timestamps: false, freezeTableName: true },
  );
}
