const MEMO_SIZE = 1_000;
const MEMO_KEY_LENGTH = 100;

/**
 * `compute` remembered per key. Requests repeat the same few field names, so each one's answer is
 * worked out once rather than on every request. Bounded in count and key length: keys come from clients.
 */
export function memoized<T>(compute: (key: string) => T): (key: string) => T {
  const memo = new Map<string, T>();
  return (key) => {
    // One lookup, not has() then get(): the sanitizer asks twice per property of every body.
    const known = memo.get(key);
    if (known !== undefined) return known;
    const value = compute(key);
    if (key.length <= MEMO_KEY_LENGTH) {
      if (memo.size === MEMO_SIZE) memo.clear();
      memo.set(key, value);
    }
    return value;
  };
}

/** `compute` remembered for the last millisecond it was asked about: requests of one millisecond share its text. */
export function perMillisecond(compute: (ms: number) => string): (ms: number) => string {
  let last = Number.NaN;
  let value = '';
  return (ms) => {
    if (ms !== last) {
      value = compute(ms);
      last = ms;
    }
    return value;
  };
}
