/** A compiled route template: literal segments and `:name` placeholders, nothing more. */
export type PathMatcher = (path: string) => Record<string, string> | undefined;

/**
 * Compiles `/`, `/stats` or `/:id`-style templates. Our own on purpose: Express 4 and 5 ship different
 * path-to-regexp versions with different syntax, and our routes need only this.
 */
export function compilePath(template: string): PathMatcher {
  const expected = segmentsOf(template);
  return (path) => {
    const actual = segmentsOf(path);
    if (actual.length !== expected.length) return undefined;
    const params: Record<string, string> = {};
    for (const [index, segment] of expected.entries()) {
      const value = actual[index]!;
      if (segment.startsWith(':')) {
        const decoded = decodeSegment(value);
        if (decoded === undefined || decoded === '') return undefined;
        params[segment.slice(1)] = decoded;
      } else if (segment !== value) {
        return undefined;
      }
    }
    return params;
  };
}

/** `/a/b/` and `/a/b` are the same path, as in Express's and Koa's non-strict routing. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment, index, all) => !(segment === '' && (index === 0 || index === all.length - 1)));
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed escapes: not our route
  }
}

/** A route template under its mount point, e.g. `/authors` + `/:id`; the root route is the mount itself. */
export function joinPath(mountPath: string, template: string): string {
  if (template === '/') return mountPath === '' ? '/' : mountPath;
  return `${mountPath}${template}`;
}

/** A request URL's path and query; never parsed as an absolute URL, so `//host/x` stays a path. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const mark = url.indexOf('?');
  if (mark === -1) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, mark), query: new URLSearchParams(url.slice(mark + 1)) };
}

/** The path under `prefix`, or undefined when the path is not under it (`/authorsX` is not under `/authors`). */
export function underPrefix(path: string, prefix: string): string | undefined {
  if (prefix === '') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}
