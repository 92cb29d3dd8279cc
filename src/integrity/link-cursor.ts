import type { ChainedTable } from './canonical.js';
import type { ChainLink } from './chain.js';
import type { ChainSource } from './source.js';

/** How many links one query reads. */
export const LINK_PAGE = 5_000;

/** A table's links by where their rows start (ChainSource.linksByPlace), read a page at a time: those reaching `reachingId` or beyond. */
export class LinkCursor {
  private pending: ChainLink[] = [];
  private next = 0;
  private done = false;
  private afterFirstId = 0;

  constructor(
    private readonly source: ChainSource,
    private readonly table: ChainedTable,
    private readonly reachingId: number,
  ) {}

  async peek(): Promise<ChainLink | undefined> {
    if (this.next === this.pending.length && !this.done) {
      this.pending = await this.source.linksByPlace(this.table, this.afterFirstId, this.reachingId, LINK_PAGE);
      this.next = 0;
      this.done = this.pending.length < LINK_PAGE;
      this.afterFirstId = this.pending.at(-1)?.firstId ?? this.afterFirstId;
    }
    return this.pending[this.next];
  }

  async take(): Promise<ChainLink | undefined> {
    const link = await this.peek();
    if (link) this.next++;
    return link;
  }
}
