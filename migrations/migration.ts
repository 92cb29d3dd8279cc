import type { QueryInterface, Sequelize } from 'sequelize';

export interface MigrationContext {
  readonly queryInterface: QueryInterface;
  readonly sequelize: Sequelize;
}

/** One schema change. `name` starts with the reference's revision id, so both histories line up. */
export interface Migration {
  readonly name: string;
  readonly description: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
