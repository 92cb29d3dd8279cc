import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { BATCH_BYTES, type QueuedEvent } from './queue.js';
import { revive } from './spilled-event.js';

interface Segment {
  readonly file: string;
  readonly handle: FileHandle;
  lines: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The spill directory: append-only JSON lines, one `{id, event}` per line, fsync'd once per group of
 * appends. Files are segments named `<ms>-<pid>-<token>-<seq>.jsonl`; this process appends to one at a
 * time and replays only closed ones, its own or those of a process that is no longer running.
 */
export class SpillFile {
  /** Tells this process's segments from an earlier process that had the same pid. */
  private readonly token = randomBytes(4).toString('hex');
  private seq = 0;
  private current: Segment | undefined;
  private buffer: string[] = [];
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private ownClosed = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly telemetry: Telemetry,
  ) {}

  /** Resolves once the entries are on disk (fsync'd); rejects if they could not be written. */
  append(entries: readonly QueuedEvent[]): Promise<void> {
    for (const { id, event } of entries) this.buffer.push(`${JSON.stringify({ id, event })}\n`);
    const written = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.writing ??= this.writeOut().finally(() => (this.writing = undefined));
    return written;
  }

  /** True while this process holds spilled events that are not yet replayed. */
  get holdsEvents(): boolean {
    return this.buffer.length > 0 || this.writing !== undefined || (this.current?.lines ?? 0) > 0 || this.ownClosed.size > 0;
  }

  /** Closes the segment being appended to, so that it can be replayed; later appends open a new one. */
  async rotate(): Promise<void> {
    await this.writing;
    const segment = this.current;
    if (!segment || segment.lines === 0) return;
    this.current = undefined;
    await segment.handle.close();
    this.ownClosed.add(segment.file);
  }

  /** Closed segments whose events may be replayed now, oldest first. */
  async replayable(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => path.join(this.dir, name))
      .filter((file) => file !== this.current?.file && (this.ownClosed.has(file) || this.ownerGone(path.basename(file))))
      .sort();
  }

  /** The events of a segment, in order, in batches of batchSize and BATCH_BYTES. A line torn by a crash is skipped and counted in the log. */
  async *read(file: string, batchSize: number): AsyncGenerator<QueuedEvent[]> {
    let batch: QueuedEvent[] = [];
    let bytes = 0;
    let torn = 0;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (line === '') continue;
      try {
        const { id, event } = JSON.parse(line) as QueuedEvent;
        batch.push({ id, event: revive(event) });
        bytes += line.length;
      } catch {
        torn++;
      }
      if (batch.length >= batchSize || bytes >= BATCH_BYTES) {
        bytes = 0;
        yield batch.splice(0);
      }
    }
    if (torn > 0) this.logger.warn(`${torn} torn line(s) skipped in spill file ${file}: written while the process died`);
    if (batch.length > 0) yield batch;
  }

  async remove(file: string): Promise<void> {
    await unlink(file).catch(() => {}); // another instance replaying the same dead owner's file got there first
    this.ownClosed.delete(file);
  }

  /** Finishes pending appends and closes the open segment; it is replayed at the next start. */
  async close(): Promise<void> {
    await this.writing;
    await this.current?.handle.close();
    this.current = undefined;
  }

  private async writeOut(): Promise<void> {
    while (this.buffer.length > 0) {
      const lines = this.buffer.splice(0);
      const waiters = this.waiters.splice(0);
      try {
        const segment = this.current ?? (await this.openSegment());
        await segment.handle.appendFile(lines.join(''));
        await segment.handle.sync();
        segment.lines += lines.length;
        this.telemetry.emit('events_spilled', { count: lines.length });
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
  }

  private async openSegment(): Promise<Segment> {
    await mkdir(this.dir, { recursive: true });
    const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${this.token}-${String(this.seq++).padStart(6, '0')}.jsonl`;
    const file = path.join(this.dir, name);
    const handle = await open(file, 'a');
    // The new file's directory entry must survive a crash too.
    const directory = await open(this.dir, 'r');
    await directory.sync().finally(() => directory.close());
    this.current = { file, handle, lines: 0 };
    return this.current;
  }

  private ownerGone(name: string): boolean {
    const [, pidText, token] = name.split('-');
    if (token === this.token) return false;
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid === process.pid) return true; // an earlier life of this very pid
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}
