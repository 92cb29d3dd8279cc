/**
 * A JSON value as PostgreSQL writes `jsonb::text`, so that a SQLite trail's canonical line is the one
 * PostgreSQL would write for the same row: object keys shorter first, then by their UTF-8 bytes (the
 * last of duplicate keys wins, as JSON.parse keeps it), `, ` and `: ` between items, strings escaped as
 * JSON.stringify escapes them (PostgreSQL's escape_json does the same), numbers in `numeric`'s positional
 * form. The value comes from JSON.parse of text that JavaScript wrote, so its numbers print as they were stored.
 */
export function jsonbText(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return numericText(JSON.stringify(value));
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort(byJsonbKeyOrder);
  return `{${keys.map((key) => `${JSON.stringify(key)}: ${jsonbText(object[key])}`).join(', ')}}`;
}

// eslint-disable-next-line no-control-regex -- every ASCII character, controls included
const ASCII = /^[\u0000-\u007f]*$/;

function byJsonbKeyOrder(a: string, b: string): number {
  // Most keys are ASCII, whose UTF-16 length and order are their UTF-8 bytes' (and far cheaper to get).
  if (ASCII.test(a) && ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
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
