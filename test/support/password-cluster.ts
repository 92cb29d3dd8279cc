import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A private PostgreSQL cluster that demands a password (scram-sha-256), for tests of authentication failures. */
export interface PasswordCluster {
  /** `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres`, with the right password. */
  readonly url: string;
  stop(): void;
}

/** Where initdb and pg_ctl live, if PostgreSQL's server binaries are installed here. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  const bin = version && path.join(root, version, 'bin');
  return bin && existsSync(path.join(bin, 'initdb')) ? bin : undefined;
}

export async function startPasswordCluster(bin: string, password: string): Promise<PasswordCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'audit-trail-pg-'));
  writeFileSync(path.join(dir, 'pw'), password);
  // PostgreSQL refuses to run as root: the cluster belongs to the postgres account then.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const run = (tool: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, tool), asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args, { stdio: 'ignore' });
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${path.join(dir, 'pw')}`]);
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
