import { describe, expect, it } from 'vitest';
import { readInbound, readReply } from '../../src/ws/message.js';
import { resolveWebSocketOptions, type WebSocketAuditOptions } from '../../src/ws/options.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const configOf = (options: WebSocketAuditOptions = {}) => resolveWebSocketOptions(options, logger, () => undefined);
const text = (message: unknown) => Buffer.from(JSON.stringify(message));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('readInbound', () => {
  const config = configOf({ actions: { 1: 'GET_AUTHORS' } });

  it('WSU01 names a message by action(), then pkg_id through the map or as a number, then type, action or method, then MESSAGE', () => {
    const named = configOf({ actions: { 1: 'GET_AUTHORS' }, action: (message) => (message as { op?: string }).op });
    expect(readInbound(text({ op: 'CUSTOM', pkg_id: 1 }), false, named).name).toBe('CUSTOM');
    expect(readInbound(text({ pkg_id: 1, type: 'ignored' }), false, named).name).toBe('GET_AUTHORS');
    expect(readInbound(text({ pkg_id: 12 }), false, config).name).toBe('12');
    expect(readInbound(text({ type: 'chat', action: 'x' }), false, config).name).toBe('chat');
    expect(readInbound(text({ action: 'typing' }), false, config).name).toBe('typing');
    expect(readInbound(text({ jsonrpc: '2.0', method: 'sum', id: 1 }), false, config).name).toBe('sum');
    expect(readInbound(text({ text: 'hi' }), false, config).name).toBe('MESSAGE');
    expect(readInbound(text('just a string'), false, config)).toMatchObject({ name: 'MESSAGE', data: 'just a string' });
  });

  it("WSU02 stores the reference envelope's data, and any other message whole", () => {
    expect(readInbound(text({ pkg_id: 1, req_id: 'a', data: { page: 2 } }), false, config).data).toEqual({ page: 2 });
    expect(readInbound(text({ type: 'chat', text: 'hi' }), false, config).data).toEqual({ type: 'chat', text: 'hi' });
  });

  it('WSU03 awaits a reply for req_id or a JSON-RPC id, keeps only a safe one as request_id, and none for a notification', () => {
    expect(readInbound(text({ pkg_id: 1, req_id: 'r-1' }), false, config)).toMatchObject({ replyKey: 'r-1', requestId: 'r-1' });
    expect(readInbound(text({ jsonrpc: '2.0', id: 7, method: 'm' }), false, config)).toMatchObject({ replyKey: '7', requestId: '7' });
    const unsafe = readInbound(text({ pkg_id: 1, req_id: 'bad id\n<script>' }), false, config);
    expect(unsafe.replyKey).toBe('bad id\n<script>');
    expect(unsafe.requestId).toMatch(UUID);
    const notification = readInbound(text({ jsonrpc: '2.0', method: 'm' }), false, config);
    expect(notification.replyKey).toBeUndefined();
    expect(notification.requestId).toMatch(UUID);
    // `id` outside JSON-RPC is the application's own field, not a request id.
    expect(readInbound(text({ type: 'user', id: 5 }), false, config).replyKey).toBeUndefined();
  });

  it('WSU04 reads invalid JSON and a throwing action() as INVALID_REQUEST with the error', () => {
    const invalid = readInbound(Buffer.from('{nope'), false, config);
    expect(invalid).toMatchObject({ name: 'INVALID_REQUEST', data: { bytes: 5 }, replyKey: undefined });
    expect(String(invalid.error)).toMatch(/JSON/);
    const throwing = configOf({
      action: () => {
        throw new Error('no such action');
      },
    });
    expect(readInbound(text({ pkg_id: 1 }), false, throwing)).toMatchObject({ name: 'INVALID_REQUEST', error: new Error('no such action') });
  });

  it('WSU05 records a binary frame by its size unless decode() returns an object, whatever binaryType handed it over', () => {
    const decoding = configOf({ decode: (buffer) => (buffer[0] === 1 ? { type: 'PING' } : null) });
    expect(readInbound(Buffer.from([0, 1, 2]), true, decoding)).toMatchObject({ name: 'MESSAGE', data: { binary: true, bytes: 3 } });
    expect(readInbound(Buffer.from([1, 2]), true, decoding)).toMatchObject({ name: 'PING', data: { type: 'PING' } });
    expect(readInbound(new Uint8Array([0, 0, 0, 0]).buffer, true, config).data).toEqual({ binary: true, bytes: 4 });
    expect(readInbound([Buffer.from([0]), Buffer.from([0, 0])], true, config).data).toEqual({ binary: true, bytes: 3 });
  });
});

describe('readReply', () => {
  it('WSU06 maps the reference status codes: 0 success, 3 permission_denied, others error', () => {
    expect(readReply(JSON.stringify({ req_id: 'a', status_code: 0 }))).toEqual({ replyKey: 'a', status: 0, outcome: 'success' });
    expect(readReply(JSON.stringify({ req_id: 'a', status_code: 3 }))).toEqual({ replyKey: 'a', status: 3, outcome: 'permission_denied' });
    expect(readReply(Buffer.from(JSON.stringify({ req_id: 'a', status_code: 2 })))).toEqual({ replyKey: 'a', status: 2, outcome: 'error' });
    expect(readReply(JSON.stringify({ req_id: 'a', data: {} }))).toEqual({ replyKey: 'a', status: null, outcome: 'success' });
  });

  it('WSU07 reads a JSON-RPC result as success and an error by its code', () => {
    expect(readReply(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 3 }))).toEqual({ replyKey: '1', status: null, outcome: 'success' });
    expect(readReply(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32601 } }))).toEqual({ replyKey: '1', status: -32601, outcome: 'error' });
  });

  it('WSU08 ignores what is no reply: not JSON, not an object, no id', () => {
    for (const data of ['hello', '{broken', '[1]', JSON.stringify({ type: 'push' }), new Uint8Array([123, 125]), 42]) expect(readReply(data)).toBeUndefined();
  });
});
