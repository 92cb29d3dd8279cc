import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/capture/event.js';
import { eventBytes } from '../../src/writer/event-bytes.js';
import { EventQueue, settle, type QueuedEvent } from '../../src/writer/queue.js';

const entry = (id: string): QueuedEvent => ({ id, event: {} as never });
const ids = (entries: readonly QueuedEvent[]) => entries.map((e) => e.id);
const UNBOUNDED = { maxQueue: Infinity, maxQueueBytes: Infinity };

describe('EventQueue', () => {
  it('takes batches oldest first and puts a failed batch back at the head', () => {
    const queue = new EventQueue(UNBOUNDED, eventBytes);
    for (let i = 0; i < 5; i++) queue.push(entry(`e${i}`));
    const batch = queue.take(2);
    expect(ids(batch)).toEqual(['e0', 'e1']);
    queue.push(entry('e5'));
    queue.requeue(batch);
    expect(ids(queue.drain())).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(queue.length).toBe(0);
  });

  it('stays in order across many shifts, when it compacts itself', () => {
    const queue = new EventQueue(UNBOUNDED, eventBytes);
    for (let i = 0; i < 5_000; i++) queue.push(entry(String(i)));
    for (let i = 0; i < 3_000; i++) expect(queue.shift()?.id).toBe(String(i));
    expect(queue.length).toBe(2_000);
    expect(queue.take(1)[0]?.id).toBe('3000');
  });

  it('settles what strict mode waits on exactly once', () => {
    let calls = 0;
    const waited: QueuedEvent = { id: 'x', event: {} as never, durable: () => calls++ };
    settle([waited, entry('y')]);
    settle([waited]);
    expect(calls).toBe(1);
  });
});

const withData = (requestData: string | null): AuditEvent =>
  ({ userId: 'u', username: 'u', userRoles: ['admin'], actionType: 'POST', resource: '/echo', requestId: 'r', requestData }) as AuditEvent;

describe('eventBytes', () => {
  it("counts an event by its text, requestData's JSON above all", () => {
    const small = eventBytes(withData(null));
    expect(eventBytes(withData(JSON.stringify({ note: 'x'.repeat(60_000) })))).toBeGreaterThan(small + 60_000);
    expect(eventBytes(withData(JSON.stringify({ note: 'x'.repeat(60_000) })))).toBeLessThan(small + 60_100);
  });
});

describe('EventQueue bounds', () => {
  const sized = (id: string, chars: number): QueuedEvent => ({ id, event: withData('z'.repeat(chars)) });

  it('refuses an event that would pass maxQueueBytes, and makes room again as events leave', () => {
    const queue = new EventQueue({ maxQueue: 100, maxQueueBytes: 25_000 }, eventBytes);
    queue.push(sized('a', 10_000));
    queue.push(sized('b', 10_000));
    const c = sized('c', 10_000);
    expect(queue.fits(c)).toBe(false);
    const batch = queue.take(1);
    expect(queue.fits(c)).toBe(true);
    queue.requeue(batch);
    expect(queue.fits(c)).toBe(false);
    queue.drain();
    expect(queue.bytes).toBe(0);
  });

  it('refuses beyond maxQueue events, and always takes one event into an empty queue however large', () => {
    const queue = new EventQueue({ maxQueue: 2, maxQueueBytes: 1_000 }, eventBytes);
    expect(queue.fits(sized('huge', 100_000))).toBe(true);
    queue.push(sized('a', 1));
    queue.push(sized('b', 1));
    expect(queue.fits(sized('c', 1))).toBe(false);
  });

  it('takes a batch of at most maxBytes, but always one event', () => {
    const queue = new EventQueue(UNBOUNDED, eventBytes);
    for (const id of ['a', 'b', 'c']) queue.push(sized(id, 10_000));
    expect(ids(queue.take(10, 25_000))).toEqual(['a', 'b']);
    queue.push(sized('huge', 100_000));
    expect(ids(queue.take(10, 25_000))).toEqual(['c']);
    expect(ids(queue.take(10, 25_000))).toEqual(['huge']);
  });
});
