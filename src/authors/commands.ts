import type { Transaction } from 'sequelize';
import { requestError } from '../http/errors.js';
import { countKey, type CountCachePolicy } from './count-cache.js';
import { encodeCursor } from './cursor.js';
import type { ListQuery } from './list-query.js';
import type { Author, AuthorRepository } from './repository.js';

export interface AuthorPage {
  readonly data: Author[];
  readonly meta: {
    /** null when paging by cursor: the page number is not known there. */
    readonly page: number | null;
    readonly per_page: number;
    /** 0 with skip_count, as in the reference. */
    readonly total: number;
    readonly pages: number;
    readonly has_more: boolean;
    readonly next_cursor: string | null;
  };
}

/**
 * One function per use case. They own the count cache's invalidation, and invalidate only after their
 * transaction has committed: a list that ran in between would otherwise cache the old count.
 */
export function authorCommands(repository: AuthorRepository, counts: CountCachePolicy, countNamespace: string) {
  /** Runs a write; unless it changed nothing (`false`), invalidates the counts once it has committed. */
  async function afterCommit<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const result = await repository.inTransaction(work);
    if (result !== false) await counts.invalidate();
    return result;
  }

  return {
    async listAuthors(query: ListQuery): Promise<AuthorPage> {
      const { filters, position, perPage, skipCount } = query;
      // One row more than asked tells whether another page follows, with or without a count.
      const rows = 'page' in position ? repository.listByOffset(filters, (position.page - 1) * perPage, perPage + 1) : repository.listAfter(filters, position.afterId, perPage + 1);
      const total = skipCount ? 0 : counts.count(countKey(countNamespace, { ...filters }), () => repository.count(filters));
      const [found, counted] = await Promise.all([rows, total]);
      const hasMore = found.length > perPage;
      const data = found.slice(0, perPage);
      return {
        data,
        meta: {
          page: 'page' in position ? position.page : null,
          per_page: perPage,
          total: counted,
          pages: Math.ceil(counted / perPage),
          has_more: hasMore,
          next_cursor: hasMore ? encodeCursor(data.at(-1)!.id) : null,
        },
      };
    },

    async getAuthor(id: number): Promise<Author> {
      return (await repository.findById(id)) ?? notFound(id);
    },

    createAuthor(name: string): Promise<Author> {
      return afterCommit((transaction) => repository.create(name, transaction));
    },

    async renameAuthor(id: number, name: string): Promise<Author> {
      const renamed = await afterCommit((transaction) => repository.rename(id, name, transaction));
      return renamed ? { id, name } : notFound(id);
    },

    async deleteAuthor(id: number): Promise<void> {
      if (!(await afterCommit((transaction) => repository.delete(id, transaction)))) notFound(id);
    },
  };
}

export type AuthorCommands = ReturnType<typeof authorCommands>;

function notFound(id: number): never {
  throw requestError('not_found', `no author with id ${id}`);
}
