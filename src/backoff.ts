/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so that instances
 * cut off together do not all come back at the same instant.
 */
export function retryDelayMs(failures: number, baseMs: number, capMs: number): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
  return step / 2 + Math.random() * (step / 2);
}
