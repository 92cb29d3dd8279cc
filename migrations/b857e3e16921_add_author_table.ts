import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

export const addAuthorTable: Migration = {
  name: 'b857e3e16921_add_author_table',
  description: 'Add author table: the example domain entity of the repository + command pattern',
  async up({ queryInterface }) {
    await queryInterface.createTable('author', {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
      // Unbounded VARCHAR, as in the reference; the authors router limits names to 255 characters.
      name: { type: 'VARCHAR', allowNull: false },
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('author');
  },
};
