/** Partition intervals, all in UTC: a week starts on Monday, as PostgreSQL's date_trunc('week') does. */
export const INTERVALS = ['day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The start of the interval that holds `at`. */
export function intervalStart(interval: Interval, at: Date): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  if (interval === 'month') return new Date(Date.UTC(y, m, 1));
  if (interval === 'week') return new Date(Date.UTC(y, m, d - ((at.getUTCDay() + 6) % 7)));
  return new Date(Date.UTC(y, m, d));
}

/** The start of the interval after the one that starts at `start`. */
export function nextStart(interval: Interval, start: Date): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  if (interval === 'month') return new Date(Date.UTC(y, m + 1, 1));
  return new Date(Date.UTC(y, m, d + (interval === 'week' ? 7 : 1)));
}

/** `count` intervals from the one that holds `from`, oldest first, as [start, end) pairs. */
export function intervalsFrom(interval: Interval, from: Date, count: number): Array<readonly [Date, Date]> {
  const spans: Array<readonly [Date, Date]> = [];
  let start = intervalStart(interval, from);
  for (let i = 0; i < count; i++) {
    const end = nextStart(interval, start);
    spans.push([start, end]);
    start = end;
  }
  return spans;
}
