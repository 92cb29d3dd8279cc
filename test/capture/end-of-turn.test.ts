import { describe, expect, it } from 'vitest';
import { RequestCapture, type AdapterResponse } from '../../src/capture/request-capture.js';
import { createAuditTrail } from '../../src/index.js';
import type { UserActionRow } from '../../src/store/models.js';
import { memoryLogger } from '../support/memory-logger.js';

const arrival = (url: string) => ({ method: 'GET', url, headers: {}, peer: '127.0.0.1', frameworkTrust: undefined });
const answered = (status: number): AdapterResponse => ({
  request: {},
  user: { sub: 'u1', preferred_username: 'ada' },
  body: undefined,
  query: {},
  route: undefined,
  status,
  error: undefined,
  aborted: false,
});

async function opened() {
  const logger = memoryLogger();
  const trail = createAuditTrail({ database: 'sqlite::memory:', logger, handleSignals: false });
  await trail.ready();
  const rows = async () => {
    const { models } = await trail.store();
    return (await models.UserAction.findAll({ order: [['id', 'ASC']], raw: true })) as unknown as UserActionRow[];
  };
  return { trail, logger, rows, capture: new RequestCapture(trail) };
}

describe('responses recorded at the end of their turn of the event loop', () => {
  it('ET01 responses that end in one turn are read and recorded together once it ends, and flush() in that turn waits for them', async () => {
    const { trail, rows, capture } = await opened();
    await trail.flush(); // the writer idle, as between two bursts of requests
    const recorded: string[] = [];
    const record = trail.record.bind(trail);
    trail.record = (event, eventId) => (recorded.push(event.resource), record(event, eventId));
    const reads: string[] = [];
    const read = (path: string) => (reads.push(path), answered(200));
    for (const path of ['/a', '/b', '/c']) capture.end(capture.begin(arrival(path))!, path, read);
    expect([reads, recorded]).toEqual([[], []]);
    await trail.flush();
    expect(reads).toEqual(['/a', '/b', '/c']);
    expect(recorded).toEqual(['/a', '/b', '/c']);
    expect((await rows()).map((row) => [row.resource, row.response_status, row.username])).toEqual([
      ['/a', 200, 'ada'],
      ['/b', 200, 'ada'],
      ['/c', 200, 'ada'],
    ]);
    await trail.close();
  });

  it('ET02 a response that cannot be read is dropped, counted and logged, and the others of its turn are recorded; nothing reaches the host', async () => {
    const { trail, logger, rows, capture } = await opened();
    const dropped: string[] = [];
    trail.telemetry.on('dropped', ({ reason }) => dropped.push(reason));
    const read = (path: string) => {
      if (path === '/bad') throw new Error('a getter that throws');
      return answered(204);
    };
    for (const path of ['/one', '/bad', '/two']) capture.end(capture.begin(arrival(path))!, path, read);
    await trail.flush();
    expect((await rows()).map((row) => row.resource)).toEqual(['/one', '/two']);
    expect(dropped).toEqual(['capture_failed']);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/^audit event for request .* dropped: a getter that throws/) }));
    // Each response's request ended, so close() does not wait closeTimeoutMs for the one that failed.
    const closing = performance.now();
    await trail.close();
    expect(performance.now() - closing).toBeLessThan(1000);
  });
});
