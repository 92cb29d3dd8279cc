import { describe, expect, it } from 'vitest';
import { newEventId } from '../../src/writer/event-id.js';

describe('newEventId', () => {
  it('is a UUID v7 that carries its millisecond and sorts by time', () => {
    const id = newEventId(Date.UTC(2026, 0, 1));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 0, 1));
    expect(newEventId(Date.UTC(2026, 0, 1)) < newEventId(Date.UTC(2026, 0, 1) + 1)).toBe(true);
  });

  it('never repeats', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newEventId(0)));
    expect(ids.size).toBe(10_000);
  });
});
