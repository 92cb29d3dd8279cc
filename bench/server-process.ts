import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './apps/bench-app.js';
import type { FromChild, ServerWindow, ToChild } from './server-child.js';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

/** The writer's slow-query warning: one per slow batch INSERT, which would bury the tables in SQL. */
const SLOW_QUERY = 'Slow query detected';

/** The parent's handle on one server child. */
export class ServerProcess {
  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly logged: { slowQueries: number },
  ) {}

  static async start(kind: ServerKind, env: Record<string, string>): Promise<ServerProcess> {
    const child = fork(CHILD, [kind], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['inherit', 'inherit', 'pipe', 'ipc'] });
    const logged = { slowQueries: 0 };
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.includes(SLOW_QUERY)) logged.slowQueries++;
      else console.error(line);
    });
    const listening = await reply(child, 'listening');
    return new ServerProcess(kind, listening.port, child, logged);
  }

  /** Slow-query warnings the server logged so far, counted instead of printed. */
  get slowQueries(): number {
    return this.logged.slowQueries;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts a measured window once every audit row so far is stored; `eventLoopDelay` also records the loop's delay. */
  async begin(eventLoopDelay: boolean): Promise<void> {
    await this.ask({ type: 'begin', eventLoopDelay }, 'begun');
  }

  /** Ends the window once every audit row is stored, with what the server did during it. */
  async end(): Promise<ServerWindow> {
    const { type: _, ...window } = await this.ask({ type: 'end' }, 'ended');
    return window;
  }

  /** Resident set now and at its peak since the process started, in MiB (Linux /proc). */
  memory(): { rssMiB: number; peakMiB: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return { rssMiB: kib(status, 'VmRSS') / 1024, peakMiB: kib(status, 'VmHWM') / 1024 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ToChild);
    await exited;
  }

  private ask<T extends FromChild['type']>(message: ToChild, answer: T) {
    const answered = reply(this.child, answer);
    this.child.send(message);
    return answered;
  }
}

function reply<T extends FromChild['type']>(child: ChildProcess, type: T): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<FromChild, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`bench server exited (code ${code}) before answering ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : Number.NaN;
}
