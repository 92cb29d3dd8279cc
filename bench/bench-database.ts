import pg from 'pg';
import { statCpu } from './proc.js';

const DATABASE = 'audit_trail_bench';

/** A throwaway PostgreSQL database for the audited servers, created fresh and dropped at the end. */
export class BenchDatabase {
  private constructor(
    readonly url: string,
    private readonly admin: pg.Client,
    private readonly client: pg.Client,
  ) {}

  /** `serverUrl` names any database on the server, e.g. postgres://postgres@127.0.0.1:5432/postgres. */
  static async create(serverUrl: string): Promise<BenchDatabase> {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    const url = new URL(serverUrl);
    url.pathname = `/${DATABASE}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return new BenchDatabase(url.toString(), admin, client);
  }

  /** Empties user_actions so every run inserts into the same small table. */
  async truncate(): Promise<void> {
    await this.client.query('TRUNCATE user_actions RESTART IDENTITY');
  }

  async rows(): Promise<number> {
    const { rows } = await this.client.query<{ count: string }>('SELECT count(*) FROM user_actions');
    return Number(rows[0]?.count);
  }

  /** CPU time of each PostgreSQL backend serving the bench database (not this client). */
  backendCpu(): Promise<Map<number, number>> {
    return backendCpu(this.client);
  }

  async drop(): Promise<void> {
    await this.client.end();
    await this.admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await this.admin.end();
  }
}

/**
 * CPU time, in microseconds, of each PostgreSQL backend serving `client`'s database but not `client`
 * itself, from /proc (so only for a server on this machine).
 */
export async function backendCpu(client: pg.Client): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return new Map(rows.map(({ pid }) => [pid, postgresCpu(pid)]));
}

/** 0 once the backend has exited, or when the server is on another machine (the pid, if it exists here, is some other process). */
function postgresCpu(pid: number): number {
  const stat = statCpu(`/proc/${pid}/stat`);
  return stat?.command === 'postgres' ? stat.micros : 0;
}

/** CPU spent between two backendCpu() readings, counting backends opened in between from zero. */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, micros] of after) spent += micros - (before.get(pid) ?? 0);
  return spent;
}
