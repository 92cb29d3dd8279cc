import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { redactingLogger, redactSecrets } from '../src/redact.js';
import { memoryLogger } from './support/memory-logger.js';

describe('redactSecrets', () => {
  it('replaces each secret, as given and percent-encoded, wherever it appears', () => {
    expect(redactSecrets('auth for p#ss/word failed; url had p%23ss%2Fword', ['p#ss/word'])).toBe('auth for *** failed; url had ***');
  });

  it('leaves secrets too short to matter alone, so that logs stay readable', () => {
    expect(redactSecrets('a pwd', ['pw'])).toBe('a pwd');
  });
});

describe('redactingLogger', () => {
  it('redacts every level before the host logger sees the line', () => {
    const logger = memoryLogger();
    const redacting = redactingLogger(logger, ['SECRET42']);
    redacting.warn('retrying with SECRET42');
    redacting.error('still SECRET42');
    expect(logger.text()).toBe('warn: retrying with ***\nerror: still ***');
  });
});

describe('the trail logger', () => {
  it('redacts the Redis password as well as the database password', () => {
    const logger = memoryLogger();
    const config = resolveConfig({ database: 'postgres://app:DBSECRET1@127.0.0.1/db', redis: 'redis://:REDIS%23SECRET2@127.0.0.1:1', logger }, {});
    config.logger.warn('DBSECRET1 and REDIS#SECRET2 and REDIS%23SECRET2');
    expect(logger.text()).toBe('warn: *** and *** and ***');
  });
});
