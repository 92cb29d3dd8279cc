import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { auditWebSocket } from '../../adapters/express.js';
import { createAuditTrail } from '../../src/index.js';
import { resolveWebSocketOptions, type WebSocketAuditOptions } from '../../src/ws/options.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const configOf = (options: WebSocketAuditOptions) => resolveWebSocketOptions(options, logger, () => undefined);

describe('auditWebSocket options', () => {
  it('WSU09 refuses bad options with a clear invalid_option error', () => {
    for (const [options, message] of [
      [{ replyTimeoutMs: 0 }, /replyTimeoutMs must be a positive number/],
      [{ connections: 'yes' }, /connections must be true or false/],
      [{ actions: { one: 'GET' } }, /actions must map pkg_id numbers/],
      [{ actions: { 1: '' } }, /actions must map pkg_id numbers/],
      [{ decode: 'json' }, /decode must be a function/],
      [{ action: 1 }, /action must be a function/],
      [{ user: 'req.user' }, /user must be a function/],
    ] as const) {
      expect(() => configOf(options as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(message) }));
    }
  });

  it('WSU10 refuses a misspelled option, a missing server and a refusal that is no HTTP error', async () => {
    const trail = createAuditTrail({ database: 'sqlite::memory:', logger: false, handleSignals: false });
    const wss = new WebSocketServer({ noServer: true });
    expect(() => auditWebSocket(wss, trail, { replyTimeout: 5 } as never)).toThrow(/unknown option replyTimeout: did you mean replyTimeoutMs\?/);
    expect(() => auditWebSocket({} as never, trail)).toThrow(/needs a ws \(\^8\) WebSocketServer/);
    const { reject } = auditWebSocket(wss, trail);
    expect(() => reject({} as never, {} as never, 200)).toThrow(/reject\(\) takes an HTTP error status/);
    await trail.close();
  });
});
