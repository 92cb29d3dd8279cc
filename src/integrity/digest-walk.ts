import type { ChainedTable } from './canonical.js';
import type { ChainLink } from './chain.js';
import { LinkCursor } from './link-cursor.js';
import type { ChainSource, StoredDigest } from './source.js';

/** What the digest pass reports to the verification it runs for. */
export interface DigestTally {
  rows: number;
  unchained: number;
  isJudged(link: ChainLink): boolean;
  progress(): void;
}

/** Where the row-by-row walk must take over: after `afterId`, the links before it having ended at `latest`. */
export interface Disagreement {
  readonly afterId: number;
  readonly latest: ChainLink | undefined;
}

/** Ids from `afterId` (exclusive) to `throughId`, and the links whose rows start there: none of their rows lie outside. */
interface Segment {
  readonly afterId: number;
  readonly throughId: number;
  readonly links: readonly ChainLink[];
}

/**
 * The fast pass over a table's rows: PostgreSQL hashes each batch where the rows are stored, and only
 * the digests are compared here. The table is cut into segments of about `segmentRows` ids that no batch
 * straddles, so that each batch is hashed whole, in one query. A segment passes only when the row-by-row
 * walk (RowWalk) would find nothing in it; at the first that does not, this pass stops and says where
 * the row-by-row walk is to start, so that it finds and names the break as it always has. Links that
 * start past `lastId` but not past `linksReach` have lost all their rows: that walk judges them too.
 */
export async function walkDigests(
  source: ChainSource,
  table: ChainedTable,
  range: { readonly startId: number; readonly lastId: number; readonly linksReach: number },
  segmentRows: number,
  tally: DigestTally,
): Promise<Disagreement | undefined> {
  const links = new LinkCursor(source, table, range.startId);
  let latest: ChainLink | undefined;
  let afterId = range.startId - 1;
  // Two segments are asked for ahead of the one being compared, one on each connection.
  const ahead: Array<{ segment: Segment; digests: Promise<StoredDigest[]> }> = [];
  const askAhead = async () => {
    for (; ahead.length < 2 && afterId < range.lastId; afterId = ahead.at(-1)!.segment.throughId) {
      const segment = await cut(links, afterId, Math.min(afterId + segmentRows, range.lastId));
      ahead.push({ segment, digests: source.digests(table, segment.afterId, segment.throughId) });
    }
  };
  try {
    for (await askAhead(); ahead.length > 0;) {
      const { segment, digests } = ahead.shift()!;
      const stored = await digests;
      await askAhead();
      if (!agrees(segment, stored, latest, tally)) return { afterId: segment.afterId, latest };
      latest = segment.links.at(-1) ?? latest;
      tally.progress();
    }
  } finally {
    await Promise.all(ahead.map(({ digests }) => digests.catch(() => {}))); // segments asked for ahead of a disagreement
  }
  // Links past the last row have lost every row: the row-by-row walk names them.
  const beyond = await links.peek();
  return beyond && beyond.firstId <= range.linksReach ? { afterId, latest } : undefined;
}

/** The segment from `afterId` to `throughId` at least, stretched until no link's rows go past its end. */
async function cut(links: LinkCursor, afterId: number, throughId: number): Promise<Segment> {
  const inside: ChainLink[] = [];
  for (let link = await links.peek(); link && link.firstId <= throughId; link = await links.peek()) {
    inside.push((await links.take())!);
    throughId = Math.max(throughId, link.lastId);
  }
  return { afterId, throughId, links: inside };
}

/**
 * Whether the row-by-row walk would find nothing in the segment: every stored batch number is one of its
 * links', within that link's ids, each judged link has all its rows and its digest, and no unchained row
 * comes at or after a link's first id. On success the rows are counted.
 */
function agrees({ links }: Segment, stored: StoredDigest[], latest: ChainLink | undefined, tally: DigestTally): boolean {
  const byBatch = new Map(stored.map((digest) => [digest[0], digest]));
  if (byBatch.size !== stored.length) return false;
  let rows = 0;
  const batches = new Set<number>();
  for (const link of links) {
    if (batches.has(link.batch)) return false;
    batches.add(link.batch);
    const found = byBatch.get(String(link.batch));
    byBatch.delete(String(link.batch));
    const judged = tally.isJudged(link);
    if (!found) {
      if (judged) return false;
      continue;
    }
    const [, count, firstId, lastId, digest] = found;
    if (Number(firstId) < link.firstId || Number(lastId) > link.lastId) return false;
    if (judged && (Number(count) !== link.rowCount || digest !== link.digest)) return false;
    if (judged) rows += Number(count);
  }
  const unchained = byBatch.get(null);
  byBatch.delete(null);
  if (byBatch.size > 0) return false;
  if (unchained && (latest || (links.length > 0 && Number(unchained[3]) >= links[0]!.firstId))) return false;
  tally.rows += rows;
  tally.unchained += Number(unchained?.[1] ?? 0);
  return true;
}
