import { memoized } from '../capture/memo.js';
import { jsonString } from '../writer/row-text.js';

/**
 * A JSON value as PostgreSQL writes `jsonb::text`, so that a SQLite trail's canonical line is the one
 * PostgreSQL would write for the same row: object keys shorter first, then by their UTF-8 bytes (the
 * last of duplicate keys wins, as JSON.parse keeps it), `, ` and `: ` between items, strings escaped as
 * JSON.stringify escapes them (PostgreSQL's escape_json does the same), numbers in `numeric`'s positional
 * form. The value comes from JSON.parse of text that JavaScript wrote, so its numbers print as they were stored.
 * Anything JSON.parse never makes (undefined, a function, an array's hole, an object of a class) throws a
 * TypeError: JSON.stringify would write it otherwise, or not at all, so no text can be promised for it.
 */
export function jsonbText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return numericText(JSON.stringify(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return arrayText(value);
      if (Object.getPrototypeOf(value) === Object.prototype) return objectText(value as Record<string, unknown>);
  }
  throw new TypeError(`not a value JSON.parse makes: ${Object.prototype.toString.call(value)}`);
}

/** Indexed, not mapped: a hole reads as undefined, and throws, where map() would skip it. */
function arrayText(array: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < array.length; i++) text += (i === 0 ? '' : ', ') + jsonbText(array[i]);
  return `${text}]`;
}

function objectText(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  // Most keys are ASCII, whose UTF-16 length and order are their UTF-8 bytes' (and far cheaper to compare).
  keys.sort(keys.every((key) => ASCII.test(key)) ? byLengthThenUnits : byUtf8LengthThenBytes);
  let text = '{';
  for (let i = 0; i < keys.length; i++) text += `${i === 0 ? '' : ', '}${quotedKey(keys[i]!)}: ${jsonbText(object[keys[i]!])}`;
  return `${text}}`;
}

/** Bodies of one API repeat the same few keys. */
const quotedKey = memoized(jsonString);

// eslint-disable-next-line no-control-regex -- every ASCII character, controls included
const ASCII = /^[\u0000-\u007f]*$/;

const byLengthThenUnits = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

function byUtf8LengthThenBytes(a: string, b: string): number {
  const byLength = Buffer.byteLength(a) - Buffer.byteLength(b);
  return byLength !== 0 ? byLength : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A JSON number's text as `numeric` prints it: never an exponent. `1e+21` is `1000000000000000000000`,
 * `1.5e-7` is `0.00000015` (numeric keeps the scale the input implies: its fraction's digits less the exponent).
 */
function numericText(json: string): string {
  const exponentAt = json.search(/e/i);
  if (exponentAt === -1) return json;
  const negative = json.startsWith('-');
  const mantissa = json.slice(negative ? 1 : 0, exponentAt);
  const exponent = Number(json.slice(exponentAt + 1));
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  // Where the decimal point falls in `digits`, after the exponent moves it.
  const point = whole.length + exponent;
  const scale = Math.max(0, fraction.length - exponent);
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const integer = padded.slice(0, at).replace(/^0+(?=\d)/, '');
  const decimals = padded.slice(at).padEnd(scale, '0').slice(0, scale);
  return `${negative ? '-' : ''}${integer}${scale > 0 ? `.${decimals}` : ''}`;
}
