/** Local time for reading; the UTC instant goes in the title, shown on hover. */
export function localTime(iso: string): string {
  const instant = new Date(iso);
  return instant.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function duration(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function outcomeLabel(outcome: string): string {
  return outcome.replace('_', ' ');
}
