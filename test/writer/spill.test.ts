import { appendFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Telemetry } from '../../src/telemetry.js';
import { USER_ACTIONS } from '../../src/writer/entry-kind.js';
import { SpillFile } from '../../src/writer/spill.js';
import type { QueuedEvent } from '../../src/writer/queue.js';
import { memoryLogger } from '../support/memory-logger.js';

const entry = (id: string): QueuedEvent => ({ id, event: { timestamp: new Date('2026-01-02T03:04:05.678Z'), requestId: id } as never });

async function readAll(spill: SpillFile, file: string, batchSize = 100): Promise<QueuedEvent[][]> {
  const batches: QueuedEvent[][] = [];
  for await (const batch of spill.read(file, batchSize)) batches.push(batch);
  return batches;
}

describe('SpillFile', () => {
  it('appends, fsyncs, and reads back in order, in batches, with Dates revived', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const telemetry = new Telemetry();
    const spilled: number[] = [];
    telemetry.on('events_spilled', ({ count }) => spilled.push(count));
    const spill = new SpillFile(dir, memoryLogger(), telemetry, USER_ACTIONS.revive);
    await Promise.all([spill.append([entry('a'), entry('b')]), spill.append([entry('c')])]);
    expect(spilled.reduce((a, b) => a + b)).toBe(3);
    expect(await spill.replayable()).toEqual([]); // still being appended to
    expect(spill.holdsEvents).toBe(true);
    await spill.rotate();
    const [file] = await spill.replayable();
    const batches = await readAll(spill, file!, 2);
    expect(batches.map((batch) => batch.map((e) => e.id))).toEqual([['a', 'b'], ['c']]);
    expect(batches[0]![0]!.event.timestamp).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    await spill.remove(file!);
    expect(spill.holdsEvents).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("replays a dead process's segment, skipping a line torn by the crash, but not a live one's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    const line = (id: string) => `${JSON.stringify(entry(id))}\n`;
    const dead = path.join(dir, '000000000000001-999999-deadbeef-000000.jsonl');
    writeFileSync(dead, line('x') + line('y'));
    appendFileSync(dead, '{"id":"z","ev');
    writeFileSync(path.join(dir, `000000000000002-${process.ppid}-cafecafe-000000.jsonl`), line('live'));
    const logger = memoryLogger();
    const spill = new SpillFile(dir, logger, new Telemetry(), USER_ACTIONS.revive);
    const [claimed, ...others] = await spill.replayable();
    expect(others).toEqual([]);
    // Claimed: renamed into this process's names, keeping the dead writer's time.
    expect(path.basename(claimed!)).toMatch(new RegExp(`^000000000000001-${process.pid}-[0-9a-f]{8}-\\d{6}\\.jsonl$`));
    expect(readdirSync(dir)).not.toContain(path.basename(dead));
    expect((await readAll(spill, claimed!)).flat().map((e) => e.id)).toEqual(['x', 'y']);
    expect(logger.text()).toMatch(/1 torn line\(s\) skipped/);
  });

  it("W57 gives a dead process's segments to exactly one of several trails sharing the directory, and none of a live trail's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-spill-'));
    for (let i = 0; i < 20; i++)
      writeFileSync(path.join(dir, `0000000000000${String(i).padStart(2, '0')}-999999-deadbeef-${String(i).padStart(6, '0')}.jsonl`), `${JSON.stringify(entry(`d${i}`))}\n`);
    const trails = Array.from({ length: 4 }, () => new SpillFile(dir, memoryLogger(), new Telemetry(), USER_ACTIONS.revive));
    // A live trail's closed segment stays its own, though it shares this process's pid.
    await trails[0]!.append([entry('own')]);
    await trails[0]!.rotate();
    const claims = await Promise.all(trails.map((spill) => spill.replayable()));
    const ids = await Promise.all(claims.map(async (files, i) => (await Promise.all(files.map(async (file) => (await readAll(trails[i]!, file)).flat().map((e) => e.id)))).flat()));
    expect(ids.slice(1).flat()).not.toContain('own');
    expect(ids.flat().sort()).toEqual(['own', ...Array.from({ length: 20 }, (_, i) => `d${i}`)].sort());
    // A trail that closes leaves what it claimed to the next (as one that died would).
    await trails[1]!.close();
    const leftByOne = claims[1]!.length;
    expect((await trails[2]!.replayable()).length).toBe(claims[2]!.length + leftByOne);
  });
});
