import { afterAll, describe, expect, it } from 'vitest';
import * as express from '../adapters/express.js';
import * as koa from '../adapters/koa.js';
import { createAuditTrail } from '../src/index.js';
import { requireKnownOptions } from '../src/option-keys.js';

describe('requireKnownOptions', () => {
  it('names the unknown key and the closest valid one, ignoring case', () => {
    expect(() => requireKnownOptions({ batchsize: 10 }, ['batchSize', 'maxQueue'])).toThrow(
      'unknown option batchsize: did you mean batchSize? Valid options: batchSize, maxQueue.',
    );
    expect(() => requireKnownOptions({ maxQeue: 1 }, ['batchSize', 'maxQueue'], 'pool.')).toThrow(/unknown option pool\.maxQeue: did you mean pool\.maxQueue\?/);
    expect(() => requireKnownOptions({ batchSize: 1 }, ['batchSize'])).not.toThrow();
  });
});

describe('a misspelled option throws invalid_option', () => {
  const trail = createAuditTrail({ database: 'sqlite::memory:', logger: false });
  afterAll(() => trail.close());

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['createAuditTrail', () => createAuditTrail({ batchsize: 10 } as never), /unknown option batchsize: did you mean batchSize\?/],
    ['createAuditTrail pool', () => createAuditTrail({ pool: { maxx: 3 } } as never), /unknown option pool\.maxx: did you mean pool\.max\?/],
    ['createAuditTrail retention', () => createAuditTrail({ retention: { olderThan: '1d', evry: '1h' } } as never), /retention\.evry: did you mean retention\.every\?/],
    [
      'Express auditTrail, a trail option',
      () => express.auditTrail({ database: 'sqlite::memory:', flushIntervalMS: 5 } as never),
      /flushIntervalMS: did you mean flushIntervalMs\?/,
    ],
    ['Express auditTrail, a capture option', () => express.auditTrail({ database: 'sqlite::memory:', trustproxy: true } as never), /trustproxy: did you mean trustProxy\?/],
    ['Express auditTrail, capture options beside a trail', () => express.auditTrail(trail, { recordAnonymus: false } as never), /recordAnonymus: did you mean recordAnonymous\?/],
    ['Express auditTrail, a sanitize option', () => express.auditTrail(trail, { sanitize: { maxbytes: 10 } } as never), /sanitize\.maxbytes: did you mean sanitize\.maxBytes\?/],
    ['Koa auditTrail', () => koa.auditTrail({ database: 'sqlite::memory:', skipp: [] } as never), /skipp: did you mean skip\?/],
    ['Express authorsRouter', () => express.authorsRouter(trail, { countTTLSeconds: 5 } as never), /countTTLSeconds: did you mean countTtlSeconds\?/],
    ['Koa authorsRouter', () => koa.authorsRouter({ database: 'sqlite::memory:', keyprefix: 'x' } as never), /keyprefix: did you mean keyPrefix\?/],
    ['Express auditLogRouter', () => express.auditLogRouter(trail, { authorize: () => true, viewr: true } as never), /viewr: did you mean viewer\?/],
    ['Koa auditLogRouter, prefix', () => koa.auditLogRouter(trail, { authorize: () => true, prefx: '/a' } as never), /prefx: did you mean prefix\?/],
    // Express takes the routes' path from app.use: a prefix would be ignored, so it is refused.
    ['Express authorsRouter, prefix', () => express.authorsRouter(trail, { prefix: '/authors' } as never), /unknown option prefix/],
    ['Express auditLogRouter, prefix', () => express.auditLogRouter(trail, { authorize: () => true, prefix: '/a' } as never), /unknown option prefix/],
    ['Express authorsRouter on its own options, prefix', () => express.authorsRouter({ database: 'sqlite::memory:', prefix: '/authors' } as never), /unknown option prefix/],
    ['Koa auditLogRouter', () => koa.auditLogRouter(trail, { authorise: () => true } as never), /authorise: did you mean authorize\?/],
    ['Express metricsRoute', () => express.metricsRoute(trail, { gaurd: () => true } as never), /gaurd: did you mean guard\?/],
    ['Koa metricsRoute', () => koa.metricsRoute(trail, { registy: undefined } as never), /registy: did you mean registry\?/],
  ];
  it.each(cases)('%s', (_name, mount, message) => {
    expect(mount).toThrow(message);
    expect(() => mount()).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('still accepts trail and capture options together, and a router mounted on its own options', async () => {
    const audit = express.auditTrail({ database: 'sqlite::memory:', logger: false, batchSize: 10, trustProxy: true, recordAnonymous: false });
    const authors = koa.authorsRouter({ database: 'sqlite::memory:', logger: false, keyPrefix: 'x:' });
    await Promise.all([audit.close(), authors.close()]);
  });
});
