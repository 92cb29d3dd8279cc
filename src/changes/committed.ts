import type { Transaction } from 'sequelize';

interface Nested {
  readonly parent?: Nested;
  readonly finished?: string;
  afterCommit(fn: () => unknown): void;
}

/**
 * Runs `fn` once the write's transaction has committed, or at once without one. A savepoint's own commit
 * commits nothing, so `fn` waits for the outermost transaction, and runs only if every savepoint between
 * them committed too: Sequelize marks a commit (`finished`), never a rollback, and a rolled-back one
 * runs no afterCommit hook at all.
 */
export function whenCommitted(transaction: Transaction | null | undefined, fn: () => void): void {
  if (!transaction) return fn();
  const chain: Nested[] = [];
  for (let each: Nested | undefined = transaction as unknown as Nested; each; each = each.parent) chain.push(each);
  const root = chain[chain.length - 1]!;
  root.afterCommit(() => {
    if (chain.every((each) => each.finished === 'commit')) fn();
  });
}
