import { DataTypes, type Sequelize } from 'sequelize';

/** PostgreSQL stores JSON as JSONB: binary, queryable with `@>` and indexable with GIN. Elsewhere plain JSON. */
export function jsonType(sequelize: Sequelize) {
  return sequelize.getDialect() === 'postgres' ? DataTypes.JSONB : DataTypes.JSON;
}
