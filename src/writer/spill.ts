import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AuditEvent } from '../capture/event.js';
import type { Telemetry } from '../telemetry.js';
import { BATCH_BYTES, type QueuedEvent } from './queue.js';

interface Segment {
  readonly file: string;
  readonly handle: FileHandle;
  lines: number;
  bytes: number;
}

/** The spill files open in this process: another trail here, on the same directory, is alive too. */
const OPEN_TOKENS = new Set<string>();

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The spill directory: append-only JSON lines, one `{id, event}` per line, fsync'd once per group of
 * appends. Files are segments named `<ms>-<pid>-<token>-<seq>.jsonl`; this process appends to one at a
 * time and replays only closed ones, its own or those of a process that is no longer running.
 */
export class SpillFile<E = AuditEvent> {
  /** Tells this process's segments from an earlier process that had the same pid. */
  private readonly token = randomBytes(4).toString('hex');
  private seq = 0;
  private current: Segment | undefined;
  private buffer: string[] = [];
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private ownClosed = new Set<string>();
  /** Events that could not be written since the directory last accepted a write; undefined while it does. */
  private failedSince: number | undefined;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly telemetry: Telemetry,
    /** An event as read back from a line (see EntryKind.revive). */
    private readonly revive: (stored: unknown) => E,
  ) {
    OPEN_TOKENS.add(this.token);
  }

  /** Resolves once the entries are on disk (fsync'd); rejects if they could not be written. */
  append(entries: readonly QueuedEvent<E>[]): Promise<void> {
    for (const entry of entries) this.buffer.push(lineOf(entry));
    const written = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.writing ??= this.writeOut().finally(() => (this.writing = undefined));
    return written;
  }

  /**
   * For events recorded after close(), when the process may exit at any moment: on disk (fsync'd) before
   * it returns. Each call writes a closed segment of its own, which any later start replays.
   */
  appendSync(entries: readonly QueuedEvent<E>[]): void {
    mkdirSync(this.dir, { recursive: true });
    const descriptor = openSync(path.join(this.dir, this.segmentName()), 'a');
    try {
      writeSync(descriptor, entries.map(lineOf).join(''));
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    this.telemetry.emit('events_spilled', { count: entries.length });
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

  /**
   * Closed segments whose events may be replayed now, oldest first: this process's own, and those of
   * processes no longer running, claimed first. A claim renames the segment into this process's names, so
   * that of several processes sharing the directory exactly one replays it (the others find it gone), and
   * a claimer that dies in turn leaves it for the next.
   */
  async replayable(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const files: string[] = [];
    for (const name of names.filter((name) => name.endsWith('.jsonl')).sort()) {
      const file = path.join(this.dir, name);
      if (file === this.current?.file) continue;
      if (this.ownClosed.has(file)) files.push(file);
      else if (this.ownerGone(name)) {
        const claimed = await this.claim(file, name);
        if (claimed) files.push(claimed);
      }
    }
    return files.sort();
  }

  /** The events of a segment, in order, in batches of batchSize and BATCH_BYTES. A line torn by a crash is skipped and counted in the log. */
  async *read(file: string, batchSize: number): AsyncGenerator<QueuedEvent<E>[]> {
    const batch: QueuedEvent<E>[] = [];
    let bytes = 0;
    let torn = 0;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (line === '') continue;
      try {
        const { id, event } = JSON.parse(line) as { id: string; event: unknown };
        batch.push({ id, event: this.revive(event) });
        bytes += line.length;
      } catch {
        torn++;
      }
      if (batch.length >= batchSize || bytes >= BATCH_BYTES) {
        bytes = 0;
        yield batch.splice(0);
      }
    }
    if (torn > 0) this.logger.warn(`${torn} torn line(s) skipped in spill file ${file}: cut short as the process that wrote them died`);
    if (batch.length > 0) yield batch;
  }

  async remove(file: string): Promise<void> {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    this.ownClosed.delete(file);
  }

  /** Finishes pending appends and closes the open segment; it is replayed at the next start. */
  async close(): Promise<void> {
    await this.writing;
    await this.current?.handle.close();
    this.current = undefined;
    OPEN_TOKENS.delete(this.token);
  }

  private async writeOut(): Promise<void> {
    while (this.buffer.length > 0) {
      const lines = this.buffer.splice(0);
      const waiters = this.waiters.splice(0);
      try {
        await this.write(lines);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        this.failed(error, lines.length);
        for (const waiter of waiters) waiter.reject(error);
      }
    }
  }

  private async write(lines: readonly string[]): Promise<void> {
    const segment = this.current ?? (await this.openSegment());
    const text = lines.join('');
    try {
      await segment.handle.appendFile(text);
      await segment.handle.sync();
    } catch (error) {
      // A full disk can take part of the text: cut it off, so the segment ends with whole lines (if the
      // cut fails too, replay skips the torn line).
      await segment.handle.truncate(segment.bytes).catch(() => {});
      throw error;
    }
    segment.lines += lines.length;
    segment.bytes += Buffer.byteLength(text);
    this.telemetry.emit('events_spilled', { count: lines.length });
    if (this.failedSince !== undefined) {
      this.logger.warn(`the spill directory ${this.dir} accepts writes again; ${this.failedSince} audit event(s) could not be spilled meanwhile`);
      this.failedSince = undefined;
    }
  }

  /** Logged once per failing spell, not once per event: the drops themselves are counted by the writer. */
  private failed(error: unknown, count: number): void {
    if (this.failedSince === undefined) {
      this.logger.error(
        `cannot write to the spill directory ${this.dir}: ${messageOf(error)}; events that cannot be spilled are dropped (counted as spill_failed) until it accepts writes again`,
      );
    }
    this.failedSince = (this.failedSince ?? 0) + count;
  }

  private async openSegment(): Promise<Segment> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, this.segmentName());
    const handle = await open(file, 'a');
    // The new file's directory entry must survive a crash too.
    const directory = await open(this.dir, 'r');
    await directory.sync().finally(() => directory.close());
    this.current = { file, handle, lines: 0, bytes: 0 };
    return this.current;
  }

  /** `at`: a claimed segment keeps its first writer's time, so that replay stays oldest first. */
  private segmentName(at = String(Date.now()).padStart(15, '0')): string {
    return `${at}-${process.pid}-${this.token}-${String(this.seq++).padStart(6, '0')}.jsonl`;
  }

  /** The segment under this process's name, or undefined when another process claimed it first. */
  private async claim(file: string, name: string): Promise<string | undefined> {
    const claimed = path.join(this.dir, this.segmentName(name.split('-')[0]));
    try {
      await rename(file, claimed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    this.ownClosed.add(claimed);
    return claimed;
  }

  private ownerGone(name: string): boolean {
    const [, pidText, token] = name.split('-');
    if (token !== undefined && OPEN_TOKENS.has(token)) return false;
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

function lineOf({ id, event }: QueuedEvent<unknown>): string {
  return `${JSON.stringify({ id, event })}\n`;
}
