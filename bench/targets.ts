// The issue's targets, each checked against one figure of this run, with the gap to the goal.

export interface Target {
  readonly name: string;
  readonly met: boolean;
  /** The measured figure, with its unit and what it was compared with. */
  readonly measured: string;
  /** How far the figure is from the goal: the margin when met, the shortfall when not. */
  readonly gap: string;
}

type Format = (value: number) => string;

export const formats = {
  ratio: (value: number) => `${value.toFixed(2)}×`,
  ms: (value: number) => `${value.toFixed(2)} ms`,
  micros: (value: number) => `${value.toFixed(1)} µs`,
  rowsPerSecond: (value: number) => `${Math.round(value).toLocaleString('en-US')} rows/s`,
} satisfies Record<string, Format>;

/** `value` must reach `goal`. A figure the run could not measure (NaN) misses. */
export function atLeast(name: string, value: number, goal: number, format: Format, context = ''): Target {
  return judged(name, value >= goal, value, value - goal, format, context);
}

/** `value` must not exceed `goal`. */
export function atMost(name: string, value: number, goal: number, format: Format, context = ''): Target {
  return judged(name, value <= goal, value, goal - value, format, context);
}

/** A count that must be exactly `expected`, e.g. rows stored against requests served. */
export function exactly(name: string, value: number, expected: number, measured: string): Target {
  const off = value - expected;
  return { name, met: off === 0, measured, gap: off === 0 ? '' : `off by ${off > 0 ? '+' : ''}${off}` };
}

function judged(name: string, met: boolean, value: number, margin: number, format: Format, context: string): Target {
  const measured = `${format(value)}${context === '' ? '' : ` (${context})`}`;
  if (Number.isNaN(value)) return { name, met: false, measured: 'not measured', gap: '' };
  return { name, met, measured, gap: met ? `margin ${format(Math.abs(margin))}` : `short by ${format(Math.abs(margin))}` };
}

/** The closing block: one line per target, met or missed, the figure and the gap. */
export function targetsBlock(targets: readonly Target[]): string {
  const width = Math.max(...targets.map((target) => target.name.length));
  const met = targets.filter((target) => target.met).length;
  return [
    `Targets: ${met} of ${targets.length} met`,
    ...targets.map(({ name, met, measured, gap }) => `  ${met ? '✓' : '✗'} ${name.padEnd(width)}  ${measured}${gap === '' ? '' : `; ${gap}`}`),
  ].join('\n');
}
