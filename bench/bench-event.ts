import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../src/capture/event.js';

/** The i-th event the writer and verify benches record: a typical API request, its body already redacted. */
export function event(i: number): AuditEvent {
  return {
    timestamp: new Date(),
    userId: `user-${i % 97}`,
    username: `someone-${i % 97}`,
    userRoles: ['reader', 'get-authors'],
    actionType: i % 3 === 0 ? 'POST' : 'GET',
    resource: `/authors/${i % 1000}`,
    outcome: 'success',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0',
    requestId: randomUUID(), // as a request without X-Request-ID gets
    requestData: JSON.stringify({ query: { page: '2' }, route: '/authors/:id', body: { name: 'Ada', password: '[REDACTED]', tags: ['a', 'b'] } }),
    responseStatus: 200,
    errorMessage: null,
    durationMs: 3,
  };
}
