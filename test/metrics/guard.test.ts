import { describe, expect, it } from 'vitest';
import { compileGuard, type MetricsRequest } from '../../src/metrics/guard.js';
import { memoryLogger } from '../support/memory-logger.js';

const scrape = (authorization?: string): MetricsRequest => ({
  method: 'GET',
  headers: authorization === undefined ? {} : { authorization },
  peer: '127.0.0.1',
  raw: undefined,
});
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('compileGuard', () => {
  it('allows everyone when there is no guard', async () => {
    expect(await compileGuard(undefined, memoryLogger())(scrape())).toBe('allowed');
  });

  it('checks basic-auth credentials, password colons included', async () => {
    const guard = compileGuard({ username: 'prometheus', password: 'pa:ss' }, memoryLogger());
    expect(await guard(scrape(basic('prometheus:pa:ss')))).toBe('allowed');
    expect(await guard(scrape(`basic   ${Buffer.from('prometheus:pa:ss').toString('base64')}`))).toBe('allowed');
    expect(await guard(scrape(basic('prometheus:pa:s')))).toBe('unauthenticated');
    expect(await guard(scrape(basic('prometheu:pa:ss')))).toBe('unauthenticated');
    expect(await guard(scrape(basic('prometheus')))).toBe('unauthenticated');
    expect(await guard(scrape('Bearer abc'))).toBe('unauthenticated');
    expect(await guard(scrape())).toBe('unauthenticated');
  });

  it('asks a function guard, and refuses when it throws', async () => {
    const logger = memoryLogger();
    const loopbackOnly = compileGuard((request) => request.peer === '127.0.0.1', logger);
    expect(await loopbackOnly(scrape())).toBe('allowed');
    expect(await loopbackOnly({ ...scrape(), peer: '10.0.0.7' })).toBe('forbidden');
    const asyncNo = compileGuard(async () => false, logger);
    expect(await asyncNo(scrape())).toBe('forbidden');
    const throwing = compileGuard(() => {
      throw new Error('no token store');
    }, logger);
    expect(await throwing(scrape())).toBe('forbidden');
    expect(logger.text()).toContain('the metrics guard threw, so the scrape was refused: no token store');
  });

  it.each([[{ username: 'u', password: '' }], [{ username: 'a:b', password: 'p' }], [{ username: 'u' }], ['secret']])('rejects the guard %j with a fix in the message', (guard) => {
    expect(() => compileGuard(guard as never, memoryLogger())).toThrow(/guard must be \{ username, password \}/);
  });
});
