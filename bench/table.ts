/** A Markdown table with padded columns, readable in a terminal and pasteable into the README. */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** One target, marked met or missed. */
export function check(met: boolean, text: string): string {
  return `${met ? '  ✓' : '  ✗'} ${text}`;
}
