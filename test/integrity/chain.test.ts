import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database.js';
import { chainedTrail, select, writeEvents } from './support.js';

const database = useTestDatabase();

describe('the chain on PostgreSQL', () => {
  let links: Array<{ seq: string; row_count: number; prev_hash: string; hash: string }>;
  beforeAll(async () => {
    await writeEvents(database.url, 125); // past link 10, where text order and number order part
    links = await select(database.url, 'SELECT seq, row_count, prev_hash, hash FROM audit_chain ORDER BY seq');
  });

  it('K01 extends by one link per stored batch, gapless, over every row', async () => {
    expect(links.length).toBeGreaterThanOrEqual(13);
    expect(links.map((link) => Number(link.seq))).toEqual(links.map((_, i) => i + 1));
    expect(links.reduce((sum, link) => sum + link.row_count, 0)).toBe(125);
    for (const [i, link] of links.entries()) if (i > 0) expect(link.prev_hash).toBe(links[i - 1]!.hash);
    const [unchained] = await select<{ n: string }>(database.url, 'SELECT count(*) AS n FROM user_actions WHERE chain_seq IS NULL');
    expect(Number(unchained!.n)).toBe(0);
  });

  it('K02 verify() finds the trail intact and counts every row', async () => {
    const trail = chainedTrail(database.url);
    try {
      const report = await trail.verify();
      expect(report.finding).toBeUndefined();
      expect(report).toMatchObject({ intact: true, rows: 125, links: links.length, unchainedRows: 0, firstSeq: 1, lastSeq: links.length });
      expect((await trail.verify({ fromSeq: 3, toSeq: 5 })).links).toBe(3);
    } finally {
      await trail.close();
    }
  });
});
