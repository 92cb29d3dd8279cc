import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/integrity/checkpoint.js';
import { cli } from '../support/cli.js';
import { useTestDatabase } from '../support/database.js';
import { asOwner, PRIVATE_PEM, PUBLIC_PEM, select, writeEvents } from './support.js';

const database = useTestDatabase();
const dir = mkdtempSync(path.join(tmpdir(), 'audit-verify-cli-'));
const keyFile = path.join(dir, 'public.pem');
const checkpointsFile = path.join(dir, 'checkpoints.jsonl');

describe('audit-trail verify', () => {
  beforeAll(async () => {
    const exported: Checkpoint[] = [];
    await writeEvents(database.url, 40, { integrity: { signingKey: PRIVATE_PEM, checkpointEvery: { batches: 2 }, onCheckpoint: (c) => void exported.push(c) } });
    writeFileSync(keyFile, PUBLIC_PEM);
    writeFileSync(checkpointsFile, exported.map((c) => JSON.stringify(c)).join('\n'));
  });

  it('V01 an intact trail: exit 0, the figures, and every signature checked', async () => {
    const result = await cli(['verify', '--database', database.url, '--public-key', keyFile, '--checkpoints', checkpointsFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^intact: 40 chained rows, links 1–4, 0 unchained \(older\) rows; [\d,]+ rows\/s\n4 checkpoint\(s\) matched, 4 signature\(s\) verified\n$/);
    const json = await cli(['verify', '--json', '--from', '2', '--to', '3'], { DATABASE_URL: database.url });
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: true, rows: 20, links: 2, firstSeq: 2, lastSeq: 3 });
  });

  it('V02 an edited row: exit 1, with the kind, the seq and what was found', async () => {
    const [row] = await select<{ id: number }>(database.url, 'SELECT id FROM user_actions WHERE chain_seq = (SELECT batch FROM audit_chain WHERE seq = 3) ORDER BY id LIMIT 1');
    await asOwner(database.url, [`UPDATE user_actions SET user_agent = 'curl/8.0' WHERE id = ${row!.id}`]);
    const result = await cli(['verify', '--database', database.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^TAMPERED \(modified at seq 3\): batch 3 \(ids \d+–\d+\): a row's stored content differs from what was chained\n/);
    const json = await cli(['verify', '--database', database.url, '--json']);
    expect(JSON.parse(json.stdout).finding).toMatchObject({ kind: 'modified', seq: 3 });
  });

  it('V03 a usage error or an unreachable database: exit 2', async () => {
    expect((await cli(['verify', '--database', database.url, '--from', 'two'])).code).toBe(2);
    expect((await cli(['verify', '--database', database.url, '--older-than', '1d'])).code).toBe(2);
    expect((await cli(['verify', '--database', database.url, '--public-key', path.join(dir, 'missing.pem')])).code).toBe(2);
    const unreachable = await cli(['verify', '--database', 'postgres://postgres@127.0.0.1:1/none']);
    expect(unreachable.code).toBe(2);
  });
});
