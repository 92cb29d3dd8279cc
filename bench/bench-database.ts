import pg from 'pg';

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

  async drop(): Promise<void> {
    await this.client.end();
    await this.admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await this.admin.end();
  }
}
