export type Outcome = 'success' | 'error' | 'permission_denied';

/**
 * Classifies a finished request. Denials win over errors and aborts: a 403
 * that also threw, or whose client hung up, is still a refused access attempt,
 * which is what security reviews of the trail look for.
 */
export function outcomeOf(status: number | undefined, failure: { error?: unknown; aborted?: boolean }): Outcome {
  if (status === 401 || status === 403) return 'permission_denied';
  if (failure.aborted === true || failure.error !== undefined || (status ?? 0) >= 400) return 'error';
  return 'success';
}
