import { memoized } from './memo.js';
import { storableText } from './text.js';

// Free of what JSON escapes (controls, quote, backslash) and of what storableText cleans (NUL,
// surrogates). Anchored and negated, V8 runs it about a third faster than a search for one such character.
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const PLAIN = /^[^\u0000-\u001f"\\\uD800-\uDFFF]*$/;

/** Whether JSON.stringify writes `s` as it is, between quotes, and storableText leaves it as it is. */
export const isPlain = (s: string): boolean => PLAIN.test(s);

/** `s` as a storable JSON string; most strings need neither escaping nor cleaning and are only wrapped. */
export function quoted(s: string): string {
  return isPlain(s) ? `"${s}"` : JSON.stringify(storableText(s));
}

/** A property name as stored (`name`) and as written before its value: first (`"name":`) or after another (`,"name":`). */
export interface PropertyName {
  readonly name: string;
  readonly text: string;
  readonly nextText: string;
}

/** Each property name cleaned and quoted once, not once per request. */
export function propertyNames(): (rawKey: string) => PropertyName {
  return memoized((rawKey) => {
    const name = storableText(rawKey);
    const text = `${quoted(name)}:`;
    return { name, text, nextText: `,${text}` };
  });
}
