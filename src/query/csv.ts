/** One CSV line (RFC 4180), CRLF-terminated. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** One field: empty for null, ISO 8601 for a Date, JSON for an object or array, quoted when it must be. */
export function csvField(value: unknown): string {
  const text = textOf(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return neutralized(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or CR first) gets a leading `'`:
 * every value in the trail came from an untrusted client, and opening an export must not run
 * `=HYPERLINK(…)` or `=cmd|…`.
 */
function neutralized(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
