import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { postgresBinaries, startPasswordCluster, type PasswordCluster } from '../support/password-cluster.js';

/** Runs the fixture host with a database URL; resolves to everything it wrote, warnings and inspected errors included. */
async function host(url: string): Promise<string> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/fixtures/database-url-host.ts', url], { env, timeout: 30_000 });
  const { stdout, stderr } = await child.catch((error: { stdout: string; stderr: string }) => error);
  return `${stdout}\n${stderr}`;
}

interface Case {
  readonly url: string;
  /** Every string that must never appear: the password and, when it was mistyped, each piece of it. */
  readonly secrets: readonly string[];
  readonly cliCode: number;
  /** What the CLI's message must say instead. */
  readonly says: RegExp;
}

const CASES: Record<string, Case> = {
  'a port that is not a number': {
    url: 'postgres://app:SUPERSECRET4@127.0.0.1:abc/db',
    secrets: ['SUPERSECRET4'],
    cliCode: 2,
    says: /the port must be a number/,
  },
  'a host that cannot be a host name': { url: 'postgres://app:HOSTSECRET9@bad host:5432/db', secrets: ['HOSTSECRET9'], cliCode: 2, says: /not a valid URL/ },
  'a host that does not resolve': {
    url: 'postgres://app:DNSSECRET8@no-such-host.invalid:5432/db',
    secrets: ['DNSSECRET8'],
    cliCode: 1,
    says: /no-such-host\.invalid:5432.*ENOTFOUND/,
  },
  'no scheme': { url: 'app:SECRET11@127.0.0.1:5432/db', secrets: ['SECRET11'], cliCode: 2, says: /must start with postgres:\/\// },
  'percent-encoded #, / and ? in the password': {
    url: 'postgres://app:PCT%23SE%2FC%3FRET@127.0.0.1:1/db',
    secrets: ['PCT#SE/C?RET', 'PCT%23SE%2FC%3FRET'],
    cliCode: 1,
    says: /127\.0\.0\.1:1 after .*ECONNREFUSED/,
  },
  'an unescaped # in the password': { url: 'postgres://app:HASH#SECRET1@127.0.0.1:5432/db', secrets: ['HASH#SECRET1', 'SECRET1'], cliCode: 2, says: /%23/ },
  'an unescaped / in the password': { url: 'postgres://app:SLASH/SECRET2@127.0.0.1:5432/db', secrets: ['SLASH/SECRET2', 'SECRET2'], cliCode: 2, says: /%2F/ },
  'an unescaped ? in the password': { url: 'postgres://app:QUERY?SECRET3@127.0.0.1:5432/db', secrets: ['QUERY?SECRET3', 'SECRET3'], cliCode: 2, says: /percent-encode/ },
  'an unescaped / in an all-digit password, which parses as a port and a path': {
    url: 'postgres://app:4242/9191@127.0.0.1:5432/db',
    secrets: ['4242', '9191'],
    cliCode: 2,
    says: /percent-encode/,
  },
  'a password in the query string': {
    url: 'postgres://app@127.0.0.1:1/db?password=SECRET15',
    secrets: ['SECRET15'],
    cliCode: 1,
    says: /127\.0\.0\.1:1 after .*ECONNREFUSED/,
  },
  'secret query parameters in a URL that fails to parse': {
    url: 'postgres://app@127.0.0.1:abc/db?password=SECRET16&sslpassword=KEYSECRET17',
    secrets: ['SECRET16', 'KEYSECRET17'],
    cliCode: 2,
    says: /the port must be a number/,
  },
  'an unreachable server': { url: 'postgres://app:UNREACHABLE7@127.0.0.1:1/db', secrets: ['UNREACHABLE7'], cliCode: 1, says: /ECONNREFUSED/ },
};

function expectNone(output: string, secrets: readonly string[]) {
  for (const secret of secrets) expect(output).not.toContain(secret);
}

describe('the database password is never printed', { timeout: 120_000 }, () => {
  for (const [name, { url, secrets, cliCode, says }] of Object.entries(CASES)) {
    it(`${name}: from the CLI and from a host`, async () => {
      const [fromCli, fromHost] = await Promise.all([cli(['migrate', 'status', '--database', url]), host(url)]);
      expect(fromCli.code).toBe(cliCode);
      expect(fromCli.stderr).toMatch(says);
      expect(fromCli.stderr).not.toMatch(/DEP0170|DeprecationWarning/);
      expectNone(`${fromCli.stdout}\n${fromCli.stderr}`, secrets);
      expect(fromHost).not.toMatch(/DEP0170|DeprecationWarning/);
      expect(fromHost).toMatch(/thrown: AuditTrailError/);
      expectNone(fromHost, secrets);
    });
  }

  describe('an authentication failure', () => {
    const bin = postgresBinaries();
    let cluster: PasswordCluster | undefined;
    beforeAll(async () => {
      if (bin) cluster = await startPasswordCluster(bin, 'right-Pa55word');
    });
    afterAll(() => cluster?.stop());

    // The shared test server trusts every local connection; only a cluster of our own asks for a password.
    it.skipIf(!bin)('from the CLI and from a host', async () => {
      const url = cluster!.url.replace(encodeURIComponent('right-Pa55word'), 'WRONG%23Pa55word');
      const [fromCli, fromHost] = await Promise.all([cli(['migrate', 'status', '--database', url]), host(url)]);
      expect(fromCli.code).toBe(1);
      expect(fromCli.stderr).toMatch(/password authentication failed for user "postgres"/);
      expect(fromHost).toMatch(/password authentication failed for user "postgres"/);
      expectNone(`${fromCli.stdout}\n${fromCli.stderr}\n${fromHost}`, ['WRONG#Pa55word', 'WRONG%23Pa55word']);
      expect(await cli(['migrate', 'status', '--database', cluster!.url])).toMatchObject({ code: 0 });
    });
  });
});
