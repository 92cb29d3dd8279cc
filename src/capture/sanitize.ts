import { compileKeyMatcher } from './key-matcher.js';
import type { KeyPredicate } from './key-matcher.js';
import { cutAt, storableText } from './text.js';

/** Always redacted; `redactKeys` adds to this list, never replaces it. */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'api_key',
  'private_key',
  'ssn',
  'social_security_number',
  'credit_card',
  'card_number',
  'cvv',
  'authorization',
]);

export interface SanitizeOptions {
  /** Extra key terms (matched word-wise, like the defaults) or regexes tested against the raw key. */
  redactKeys?: Array<string | RegExp>;
  /** Extra redaction rule; `path` runs from the root to `key` and is only valid during the call. */
  redact?: KeyPredicate;
  /** Levels of nested objects and arrays kept, the root being level 1. Default 10. */
  maxDepth?: number;
  /** Entries kept per object, array, Map or Set. Default 500. */
  maxKeys?: number;
  /** Approximate cap on the JSON-serialized size, counted in UTF-16 units. Default 64 KiB. */
  maxBytes?: number;
}

export interface Sanitized {
  /** JSON-serializable copy of the input, safe to store in a PostgreSQL json/jsonb column. */
  value: unknown;
  /** True when a cap cut anything: depth, entry count or size. */
  truncated: boolean;
}

const REDACTED = '[REDACTED]';
const CIRCULAR = '[Circular]';
const TOO_DEEP = '[Truncated]';
const STREAM = '[Stream]';
const UNSERIALIZABLE = '[Unserializable]';
const CUT_SUFFIX = '…[truncated]';
const MORE_KEYS = '…';

/** What JSON.stringify drops from objects and writes as null in arrays: undefined, functions, symbols. */
const OMIT = Symbol('omit');

interface Limits {
  maxDepth: number;
  maxKeys: number;
  maxBytes: number;
}

/**
 * Compiles options once into a function that turns any request data into a
 * bounded, JSON-serializable copy with sensitive values redacted. It never
 * throws: whatever cannot be read becomes a marker string.
 */
export function createSanitizer(options: SanitizeOptions = {}): (value: unknown) => Sanitized {
  const limits: Limits = {
    maxDepth: options.maxDepth ?? 10,
    maxKeys: options.maxKeys ?? 500,
    maxBytes: options.maxBytes ?? 64 * 1024,
  };
  const isSensitive = compileKeyMatcher([...DEFAULT_SENSITIVE_KEYS, ...(options.redactKeys ?? [])], options.redact);
  // Only the host's redact callback reads the path; without one, keeping it up to date is wasted work.
  const tracksPath = options.redact !== undefined;
  return (value) => {
    try {
      const walk = new Walk(limits, isSensitive, tracksPath);
      const result = walk.value(value, 1, '');
      return { value: result === OMIT ? undefined : result, truncated: walk.truncated };
    } catch {
      return { value: UNSERIALIZABLE, truncated: true };
    }
  };
}

/**
 * One sanitizing pass. It estimates the JSON size while copying (`budget` is
 * what is left of maxBytes), so a huge input costs no more than the part kept.
 */
class Walk {
  truncated = false;
  private budget: number;
  /** The containers being copied, root first: a stack, as depth is small and a Set costs more to keep. */
  private readonly ancestors: object[] = [];
  private readonly path: string[] = [];

  constructor(
    private readonly limits: Limits,
    private readonly isSensitive: KeyPredicate,
    private readonly tracksPath: boolean,
  ) {
    this.budget = limits.maxBytes;
  }

  /** `key` is the property name JSON.stringify would hand to toJSON. */
  value(value: unknown, depth: number, key: string): unknown {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return Number.isFinite(value) ? this.spend(value, String(value).length) : this.spend(null, 4);
      case 'boolean':
        return this.spend(value, 5);
      case 'bigint':
        return this.string(value.toString());
      case 'object':
        return value === null ? this.spend(null, 4) : this.object(value, depth, key);
      default:
        return OMIT;
    }
  }

  private object(value: object, depth: number, key: string): unknown {
    try {
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
        return this.marker(`[${value.constructor.name} ${value.byteLength} bytes]`);
      }
      if (typeof (value as { pipe?: unknown }).pipe === 'function') return this.marker(STREAM);
      const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON !== 'function') return this.container(value, depth);
      // Like JSON.stringify, what toJSON returns is serialized as is, without calling its own toJSON.
      const json: unknown = toJSON.call(value, key);
      return typeof json === 'object' && json !== null ? this.container(json, depth) : this.value(json, depth, key);
    } catch {
      // Throwing getters, revoked Proxies, hostile toJSON: keep the rest of the data.
      return this.marker(UNSERIALIZABLE);
    }
  }

  private container(value: object, depth: number): unknown {
    if (this.ancestors.includes(value)) return this.marker(CIRCULAR);
    if (depth > this.limits.maxDepth) {
      this.truncated = true;
      return this.marker(TOO_DEEP);
    }
    this.ancestors.push(value);
    try {
      if (Array.isArray(value)) return this.array(value, value.length, depth);
      if (value instanceof Set) return this.array(value, value.size, depth);
      if (value instanceof Map) return this.map(value, depth);
      return this.record(value, depth);
    } finally {
      this.ancestors.pop();
    }
  }

  private array(items: Iterable<unknown>, size: number, depth: number): unknown[] {
    const copy: unknown[] = [];
    this.budget -= 2;
    for (const item of items) {
      if (copy.length === this.limits.maxKeys || this.budget < 1) break;
      const key = String(copy.length);
      this.enter(depth, key);
      const value = this.value(item, depth + 1, key);
      copy.push(value === OMIT ? this.spend(null, 4) : value);
      this.budget -= 1;
    }
    const dropped = size - copy.length;
    if (dropped > 0) {
      this.truncated = true;
      copy.push(this.marker(`[… ${dropped} more items]`));
    }
    return copy;
  }

  /** Own enumerable string keys, like JSON.stringify; values are read only for the keys kept. */
  private record(value: object, depth: number): Record<string, unknown> {
    const keys = Object.keys(value);
    const copy: Record<string, unknown> = {};
    this.budget -= 2;
    let kept = 0;
    for (; kept < keys.length && this.makeRoom(keys[kept]!, kept); kept++) {
      this.keep(copy, keys[kept]!, readProperty(value, keys[kept]!), depth);
    }
    return this.endRecord(copy, keys.length - kept);
  }

  /** Map keys become property names, so a `password` entry is redacted like a property. */
  private map(map: Map<unknown, unknown>, depth: number): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    this.budget -= 2;
    let kept = 0;
    for (const [key, item] of map) {
      const rawKey = String(key);
      if (!this.makeRoom(rawKey, kept)) break;
      this.keep(copy, rawKey, item, depth);
      kept++;
    }
    return this.endRecord(copy, map.size - kept);
  }

  /** Spends the budget for the entry `rawKey` when the record has room for it. */
  private makeRoom(rawKey: string, kept: number): boolean {
    // Quotes, colon and comma; checked before cleaning so a megabyte-long key is never scanned.
    const cost = rawKey.length + 4;
    if (kept === this.limits.maxKeys || cost > this.budget) return false;
    this.budget -= cost;
    return true;
  }

  private keep(copy: Record<string, unknown>, rawKey: string, item: unknown, depth: number): void {
    const key = storableText(rawKey);
    this.enter(depth, key);
    const value = this.isSensitive(key, this.path) ? this.marker(REDACTED) : this.value(item, depth + 1, rawKey);
    if (value !== OMIT) setOwn(copy, key, value);
  }

  /** Points `path` at `key` inside the container at `depth`; assigned, not pushed, so a throw cannot corrupt it. */
  private enter(depth: number, key: string): void {
    if (!this.tracksPath) return;
    this.path.length = depth - 1;
    this.path.push(key);
  }

  private endRecord(copy: Record<string, unknown>, dropped: number): Record<string, unknown> {
    if (dropped > 0) {
      this.truncated = true;
      setOwn(copy, MORE_KEYS, this.marker(`${dropped} more keys`));
    }
    return copy;
  }

  private string(s: string): string {
    const room = this.budget - 2;
    this.budget -= s.length + 2;
    if (s.length <= room) return storableText(s);
    this.truncated = true;
    return storableText(cutAt(s, Math.max(room - CUT_SUFFIX.length, 0))) + CUT_SUFFIX;
  }

  /** Markers are never cut: they are short, and at most one per open container appears past the budget. */
  private marker(text: string): string {
    return this.spend(text, text.length + 2);
  }

  private spend<T>(value: T, cost: number): T {
    this.budget -= cost;
    return value;
  }
}

function readProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return UNSERIALIZABLE;
  }
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Assigning `__proto__` would replace the copy's prototype instead of adding a key;
  // defineProperty is slow, so it is kept for that one key.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
