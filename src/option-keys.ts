import { AuditTrailError } from './errors.js';

/**
 * The names of an options type, written as a record so that the compiler fails when the type gains or
 * loses an option and the list does not follow.
 */
export function optionNames<T>(names: Record<keyof T, true>): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/** A misspelled option is refused, named, with the closest valid one: `batchsize` would otherwise do nothing. */
export function requireKnownOptions(options: object, known: readonly string[], prefix = ''): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const closest = closestOf(name, known);
    throw new AuditTrailError(
      'invalid_option',
      `unknown option ${prefix}${name}${closest === undefined ? '' : `: did you mean ${prefix}${closest}?`} Valid options: ${known.map((k) => prefix + k).join(', ')}.`,
    );
  }
}

function closestOf(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
