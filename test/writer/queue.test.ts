import { describe, expect, it } from 'vitest';
import { EventQueue, settle, type QueuedEvent } from '../../src/writer/queue.js';

const entry = (id: string): QueuedEvent => ({ id, event: {} as never });
const ids = (entries: readonly QueuedEvent[]) => entries.map((e) => e.id);

describe('EventQueue', () => {
  it('takes batches oldest first and puts a failed batch back at the head', () => {
    const queue = new EventQueue();
    for (let i = 0; i < 5; i++) queue.push(entry(`e${i}`));
    const batch = queue.take(2);
    expect(ids(batch)).toEqual(['e0', 'e1']);
    queue.push(entry('e5'));
    queue.requeue(batch);
    expect(ids(queue.drain())).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(queue.length).toBe(0);
  });

  it('stays in order across many shifts, when it compacts itself', () => {
    const queue = new EventQueue();
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
