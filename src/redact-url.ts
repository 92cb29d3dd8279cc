/**
 * A database or Redis URL as it may appear in a log or an error: credentials never leave the process.
 * A string that is not a URL is replaced whole, since it may be a mistyped URL that still holds a password.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** `host:port` of a URL, the part of a connection target that is safe and useful to show. */
export function hostAndPort(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname || parsed.pathname;
  } catch {
    return '<unparseable URL>';
  }
}
