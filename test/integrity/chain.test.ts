import { Sequelize } from 'sequelize';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/integrity/index.js';
import { canonicalLine, POSTGRES_CANONICAL_LINE, POSTGRES_CANONICAL_SELECT } from '../../src/integrity/canonical.js';
import { useTestDatabase } from '../support/database.js';
import { chainedTrail, event, select, writeEvents } from './support.js';

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
    // A host's Sequelize with a pool of one connection: every page is read on it.
    const narrow = new Sequelize(database.url, { logging: false, pool: { max: 1 } });
    try {
      expect(await verifyTrail({ sequelize: narrow })).toMatchObject({ intact: true, rows: 125 });
    } finally {
      await narrow.close();
    }
  });

  it("K03 PostgreSQL writes a row's line as JSON.stringify writes its values, awkward characters included", async () => {
    const awkward = ['quote " backslash \\ slash /', 'tab\tnewline\ncr\r bell\u0007 del\u007f', 'é ü 中文 😀 \u2028 \u00a0', '<script>&amp;</script>'];
    const trail = chainedTrail(database.url);
    try {
      await trail.ready();
      for (const [i, text] of awkward.entries()) {
        trail.record({
          ...event(900 + i, `awkward-${i}`),
          userAgent: text,
          username: text,
          errorMessage: text,
          userRoles: [text],
          requestData: JSON.stringify({ [text]: text, n: 1.5 }),
        });
      }
      await trail.flush();
      const rows = await select<Record<string, string | null>>(
        database.url,
        `SELECT ${POSTGRES_CANONICAL_LINE.user_actions} AS line, ARRAY[${POSTGRES_CANONICAL_SELECT.user_actions}] AS values FROM user_actions WHERE request_id LIKE 'awkward-%'`,
      );
      expect(rows).toHaveLength(awkward.length);
      for (const row of rows) expect(`${row.line}\n`).toBe(canonicalLine(row.values as unknown as string[]));
      expect((await trail.verify()).intact).toBe(true);
    } finally {
      await trail.close();
    }
  });
});
