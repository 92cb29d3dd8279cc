import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { AuditTrailError } from '../errors.js';

/** TLS as pg takes it: `false` for none, else whether to verify the server and the files to present. */
type PostgresTls = false | { rejectUnauthorized: boolean; ca?: string; cert?: string; key?: string; passphrase?: string };

/**
 * A PostgreSQL server, parsed once from its URL. The password is a non-enumerable property, so logging,
 * inspecting or serializing the settings never shows it; `pgConnectionConfig` hands it to the driver.
 */
export interface PostgresSettings {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly ssl: PostgresTls;
  readonly applicationName?: string;
  /** Server options, such as `-c search_path=audit`. */
  readonly options?: string;
  readonly connectTimeoutMs?: number;
  /** Host and port: what logs and errors may name. */
  readonly label: string;
}

export type DatabaseTarget =
  | { readonly kind: 'host'; readonly sequelize: Sequelize }
  /** Parsed from the URL once; `pgConnectionConfig(settings)` gives what pg's Client and Pool take. */
  | { readonly kind: 'postgres'; readonly settings: PostgresSettings }
  /** A SQLite file: from a `sqlite:` URL, or the embedded default. */
  | { readonly kind: 'sqlite'; readonly path: string };

const PARAMETERS = ['user', 'password', 'host', 'port', 'sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'application_name', 'options', 'connect_timeout'];
const TLS_FILES = [
  ['sslrootcert', 'ca'],
  ['sslcert', 'cert'],
  ['sslkey', 'key'],
] as const;
const ENCODE_HINT = "percent-encode any '@', ':', '/', '?' or '#' in the user name or password ('#' as %23, '/' as %2F)";

/**
 * `postgres://user:password@host:5432/db?sslmode=require` or `sqlite:path`, parsed with WHATWG URL only.
 * Its errors never repeat the URL: a URL that fails to parse may hold the password anywhere.
 */
export function parseDatabaseUrl(url: string): Exclude<DatabaseTarget, { kind: 'host' }> {
  if (/^sqlite:/i.test(url)) {
    const file = url.replace(/^sqlite:(\/\/)?/i, '');
    return { kind: 'sqlite', path: file === '' || file === ':memory:' ? ':memory:' : path.resolve(file) };
  }
  if (!/^postgres(ql)?:\/\//i.test(url)) invalid('it must start with postgres://, postgresql:// or sqlite:');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    invalid(whyUnparseable(url));
  }
  // A '#', '/' or '?' left unencoded in the password ends the authority early; the rest lands here.
  if (parsed.hash || /[@/]/.test(decode(parsed.pathname.slice(1))) || parsed.search.includes('@')) {
    invalid(`what follows the host does not look like a database name: ${ENCODE_HINT}`);
  }
  const query = queryOf(parsed.searchParams);
  const host = query.host ?? decode(parsed.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (!host) invalid('it names no host, as in postgres://user@db.example.com:5432/app');
  const port = Number(query.port ?? (parsed.port || 5432));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) invalid('the port must be a number from 1 to 65535');
  const database = decode(parsed.pathname.slice(1)) || undefined;
  const settings = {
    host,
    port,
    user: query.user ?? (decode(parsed.username) || undefined),
    database,
    ssl: tlsOf(query),
    applicationName: query.application_name,
    options: query.options,
    connectTimeoutMs: query.connect_timeout === undefined ? undefined : seconds(query.connect_timeout) * 1000,
    label: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
  };
  Object.defineProperty(settings, 'password', { value: query.password ?? (decode(parsed.password) || undefined), enumerable: false });
  return { kind: 'postgres', settings: Object.freeze(settings) as PostgresSettings };
}

/** What pg's Client and Pool take, for the trail's Sequelize and for any connection opened elsewhere. */
export function pgConnectionConfig(settings: PostgresSettings) {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ssl: settings.ssl,
    application_name: settings.applicationName,
    options: settings.options,
    connectionTimeoutMillis: settings.connectTimeoutMs,
  };
}

/** The strings no message may show: the password, the client key and its passphrase. */
export function secretsOf(target: DatabaseTarget): string[] {
  if (target.kind !== 'postgres') return [];
  const { password, ssl } = target.settings;
  return [password, ssl ? ssl.key : undefined, ssl ? ssl.passphrase : undefined].filter((secret): secret is string => !!secret);
}

/** WHATWG URL only says "Invalid URL"; the two usual causes can be told apart without showing any of it. */
function whyUnparseable(url: string): string {
  const afterScheme = url.replace(/^[a-z]+:\/\//i, '');
  const end = afterScheme.search(/[/?#]/);
  const authority = end === -1 ? afterScheme : afterScheme.slice(0, end);
  if (end !== -1 && afterScheme.slice(end).includes('@')) return `'@' appears after the host: ${ENCODE_HINT}`;
  const port = /:([^:\]]*)$/.exec(authority.slice(authority.lastIndexOf('@') + 1))?.[1];
  if (port !== undefined && !/^\d*$/.test(port)) return 'the port must be a number from 1 to 65535';
  return `it is not a valid URL: check the host name, and ${ENCODE_HINT}`;
}

function queryOf(params: URLSearchParams): Record<string, string | undefined> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!PARAMETERS.includes(name)) invalid(`the query parameter '${name}' is not supported; use one of ${PARAMETERS.join(', ')}`);
    query[name] = value;
  }
  return query;
}

/** libpq's sslmode, as far as pg can follow it: it cannot fall back to plain text, so prefer and allow mean none. */
function tlsOf(query: Record<string, string | undefined>): PostgresTls {
  const mode = query.sslmode ?? (query.ssl === 'true' || query.ssl === '1' ? 'require' : 'disable');
  if (!['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].includes(mode)) {
    invalid('sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full');
  }
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const tls: Exclude<PostgresTls, false> = { rejectUnauthorized: mode !== 'require' };
  for (const [name, field] of TLS_FILES) if (query[name] !== undefined) tls[field] = readTlsFile(name, query[name]);
  if (query.sslpassword !== undefined) tls.passphrase = query.sslpassword;
  return tls;
}

function readTlsFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AuditTrailError('invalid_option', `the database URL's ${name} file cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) invalid('connect_timeout must be a whole number of seconds');
  return parsed;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    invalid(`it holds a malformed percent-escape: ${ENCODE_HINT}`);
  }
}

function invalid(reason: string): never {
  throw new AuditTrailError('invalid_option', `the database URL is invalid: ${reason}.`);
}
