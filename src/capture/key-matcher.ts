import { memoized } from './memo.js';

/** Decides whether the value under `key` must be redacted; `path` runs from the root to `key` itself. */
export type KeyPredicate = (key: string, path: readonly string[]) => boolean;

// An all-caps run ends where a capitalised word begins, so `APIKey` reads as API + Key.
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g;

/** Lowercased words of a key, split at camelCase and non-alphanumerics: `x-api-key` → x, api, key. */
export function keyWords(key: string): string[] {
  return (key.match(WORD) ?? []).map((word) => word.toLowerCase());
}

/**
 * A key matches a term when some contiguous run of its words spells the term
 * without separators: `apiKey`, `x-api-key` and `apikey` all match `api_key`,
 * while whole-word matching keeps `classname` clear of `ssn` and `tokenizer`
 * clear of `token`. Regular expressions are tested against the raw key.
 * A throwing `redact` callback counts as a match: failing closed leaks nothing.
 */
export function compileKeyMatcher(terms: ReadonlyArray<string | RegExp>, redact?: KeyPredicate): KeyPredicate {
  const spelled = new Set<string>();
  const patterns: RegExp[] = [];
  for (const term of terms) {
    if (typeof term !== 'string') {
      // A global or sticky regex keeps lastIndex between test() calls and would skip matches.
      patterns.push(new RegExp(term.source, term.flags.replace(/[gy]/g, '')));
      continue;
    }
    const joined = keyWords(term).join('');
    if (joined !== '') spelled.add(joined);
  }
  const longest = Math.max(0, ...[...spelled].map((term) => term.length));

  const spellsTerm = (key: string): boolean => {
    const words = keyWords(key);
    for (let start = 0; start < words.length; start++) {
      let run = '';
      for (let end = start; end < words.length && run.length < longest; end++) {
        run += words[end];
        if (spelled.has(run)) return true;
      }
    }
    return false;
  };

  const isTerm = memoized((key) => spellsTerm(key) || patterns.some((pattern) => pattern.test(key)));

  return (key, path) => {
    if (isTerm(key)) return true;
    if (redact === undefined) return false;
    try {
      return redact(key, path);
    } catch {
      return true;
    }
  };
}
