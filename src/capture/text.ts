// PostgreSQL refuses NUL in text and JSON, and rejects the `\uD800`-style
// escapes JSON.stringify emits for lone surrogates; either would fail a whole batch.
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Cheap pre-check: most strings hold neither NUL nor any surrogate and are returned as is.
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/** Removes NUL characters and replaces lone UTF-16 surrogates with U+FFFD. */
export function storableText(s: string): string {
  if (!MAYBE_UNSTORABLE.test(s)) return s;
  return s.replace(UNSTORABLE, (match) => (match === '\u0000' ? '' : '\uFFFD'));
}

/** The first `max` UTF-16 units of `s`, one fewer if that would split a surrogate pair. */
export function cutAt(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return s.slice(0, splitsPair ? max - 1 : max);
}
