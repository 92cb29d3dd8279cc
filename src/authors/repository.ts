import { literal, Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { AuthorModel, AuthorRow } from '../store/models.js';
import type { AuthorFilters } from './list-query.js';

/** The author as the API returns it: bare, `{ id, name }`. */
export type Author = AuthorRow;

const ATTRIBUTES = ['id', 'name'];

/** Data access for `author` and nothing else: no validation, no caching, no HTTP. */
export class AuthorRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly model: AuthorModel,
  ) {}

  /** Runs `work` in one transaction; resolves once it has committed. */
  inTransaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }

  async findById(id: number): Promise<Author | undefined> {
    const row = await this.model.findByPk(id, { attributes: ATTRIBUTES, raw: true });
    return (row as Author | null) ?? undefined;
  }

  /** Up to `limit` authors in id order, skipping `offset`. */
  async listByOffset(filters: AuthorFilters, offset: number, limit: number): Promise<Author[]> {
    return this.list(this.whereOf(filters), { offset, limit });
  }

  /** Up to `limit` authors with ids above `afterId`, in id order: stable while rows are added. */
  async listAfter(filters: AuthorFilters, afterId: number, limit: number): Promise<Author[]> {
    return this.list({ [Op.and]: [this.whereOf(filters), { id: { [Op.gt]: afterId } }] }, { limit });
  }

  count(filters: AuthorFilters): Promise<number> {
    return this.model.count({ where: this.whereOf(filters) });
  }

  async create(name: string, transaction: Transaction): Promise<Author> {
    const created = await this.model.create({ name }, { transaction });
    const { id } = created.get({ plain: true }) as Author;
    return { id, name };
  }

  /** True when an author with this id existed and was renamed. */
  async rename(id: number, name: string, transaction: Transaction): Promise<boolean> {
    const [changed] = await this.model.update({ name }, { where: { id }, transaction });
    return changed > 0;
  }

  /** True when an author with this id existed and was deleted. */
  async delete(id: number, transaction: Transaction): Promise<boolean> {
    return (await this.model.destroy({ where: { id }, transaction })) > 0;
  }

  private async list(where: WhereOptions, page: { offset?: number; limit: number }): Promise<Author[]> {
    const rows = await this.model.findAll({ where, attributes: ATTRIBUTES, order: [['id', 'ASC']], raw: true, ...page });
    return rows as unknown as Author[];
  }

  private whereOf(filters: AuthorFilters): WhereOptions {
    const conditions: WhereOptions[] = [];
    if (filters.name !== undefined) conditions.push({ name: filters.name });
    if (filters.search !== undefined) conditions.push(this.containsIgnoringCase(filters.search));
    return { [Op.and]: conditions };
  }

  /**
   * `name ILIKE '%text%'` with the text's own `%`, `_` and `\` taken literally. An explicit ESCAPE,
   * because SQLite has no default escape character; SQLite's LIKE ignores case for ASCII only.
   */
  private containsIgnoringCase(text: string): WhereOptions {
    const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const operator = this.sequelize.getDialect() === 'postgres' ? 'ILIKE' : 'LIKE';
    return literal(`"name" ${operator} ${this.sequelize.escape(pattern)} ESCAPE '\\'`) as unknown as WhereOptions;
  }
}
