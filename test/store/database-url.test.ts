import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, pgConnectionConfig, secretsOf, type PostgresSettings } from '../../src/store/database-url.js';

function settingsOf(url: string): PostgresSettings {
  const parsed = parseDatabaseUrl(url);
  if (parsed.kind !== 'postgres') throw new Error(`expected a PostgreSQL URL, got ${parsed.kind}`);
  return parsed.settings;
}

describe('parseDatabaseUrl', () => {
  it('parses a PostgreSQL URL into what pg takes, the password decoded', () => {
    const settings = settingsOf('postgresql://app:p%23ss%2Fw%3Frd@db.example.com:6543/audit?application_name=api&connect_timeout=3');
    expect(pgConnectionConfig(settings)).toEqual({
      host: 'db.example.com',
      port: 6543,
      user: 'app',
      password: 'p#ss/w?rd',
      database: 'audit',
      ssl: false,
      application_name: 'api',
      options: undefined,
      connectionTimeoutMillis: 3000,
    });
    expect(settings.label).toBe('db.example.com:6543');
  });

  it('keeps the password out of inspect and JSON, but not out of secretsOf', () => {
    const parsed = parseDatabaseUrl('postgres://app:hunter22@127.0.0.1/db');
    expect(inspect(parsed, { depth: null })).not.toContain('hunter22');
    expect(JSON.stringify(parsed)).not.toContain('hunter22');
    expect(secretsOf(parsed)).toEqual(['hunter22']);
  });

  it('takes user, password, host and port from the query string too', () => {
    const settings = settingsOf('postgres://ignored/db?user=u&password=SECRET15&host=10.0.0.9&port=5433');
    expect(pgConnectionConfig(settings)).toMatchObject({ host: '10.0.0.9', port: 5433, user: 'u', password: 'SECRET15' });
  });

  it('follows sslmode: require encrypts, verify-* also checks the certificate', () => {
    expect(settingsOf('postgres://h/d?sslmode=require').ssl).toEqual({ rejectUnauthorized: false });
    expect(settingsOf('postgres://h/d?sslmode=verify-full').ssl).toEqual({ rejectUnauthorized: true });
    expect(settingsOf('postgres://h/d?ssl=true').ssl).toEqual({ rejectUnauthorized: false });
    expect(settingsOf('postgres://h/d?sslmode=disable').ssl).toBe(false);
    expect(() => parseDatabaseUrl('postgres://h/d?sslmode=sometimes')).toThrow(/sslmode must be one of/);
  });

  it('reads sqlite: URLs as a file path', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('sqlite:/var/lib/audit.sqlite')).toEqual({ kind: 'sqlite', path: '/var/lib/audit.sqlite' });
  });

  it.each([
    ['postgres://app:pw@127.0.0.1:abc/db', /the port must be a number from 1 to 65535/],
    ['postgres://app:pw@127.0.0.1:70000/db', /not a valid URL/],
    ['postgres://app:pw@127.0.0.1:0/db', /the port must be a number from 1 to 65535/],
    ['app:pw@127.0.0.1:5432/db', /must start with postgres:\/\//],
    ['mysql://app:pw@127.0.0.1/db', /must start with postgres:\/\//],
    ['postgres://app:p#w@127.0.0.1/db', /'@' appears after the host: percent-encode .*%23/],
    ['postgres://app:12/34@127.0.0.1/db', /does not look like a database name: percent-encode/],
    ['postgres://app:12?34@127.0.0.1/db', /does not look like a database name: percent-encode/],
    ['postgres://app:p%zzw@127.0.0.1/db', /malformed percent-escape/],
    ['postgres://127.0.0.1/db?schema=audit', /the query parameter 'schema' is not supported/],
    ['postgres://127.0.0.1/db?sslmode=require&sslkey=/nonexistent/key.pem', /sslkey file cannot be read: ENOENT/],
  ])('refuses %s with a message that says what to fix, and no part of the URL', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(message);
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_option' });
      expect((error as Error).message).not.toMatch(/pw|p#w|12|34|nonexistent/);
      expect((error as Error).cause).toBeUndefined();
    }
  });
});
