import type { Sequelize } from 'sequelize';
import type { Models } from './models.js';

/** An open trail database: what the readers, pruning and the CLI work on. Below the trail, so they need not import it. */
export interface Store {
  readonly sequelize: Sequelize;
  readonly models: Models;
}
