import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { auditWebSocket } from '../../adapters/express.js';
import { createAuditTrail } from '../../src/index.js';
import type { UserActionRow } from '../../src/store/models.js';
import { memoryLogger } from '../support/memory-logger.js';

describe('a ws 7 socket (as express-ws brings)', () => {
  it('WSU11 reads a string as a text frame and a Buffer without isBinary as a binary one', async () => {
    const trail = createAuditTrail({ database: 'sqlite::memory:', logger: false, handleSignals: false });
    await trail.ready();
    // A server and socket with ws 7's signatures: 'message' carries the data alone, 'close' a string reason.
    const socket = Object.assign(new EventEmitter(), { send() {} });
    const wss = Object.assign(new EventEmitter(), {
      handleUpgrade: (request: unknown, _socket: unknown, _head: unknown, callback: (ws: unknown, request: unknown) => void) => callback(socket, request),
    });
    auditWebSocket(wss as never, trail, { connections: false });
    wss.handleUpgrade({ url: '/ws', headers: {}, socket: { remoteAddress: '127.0.0.1' } }, null, null, () => {});
    socket.emit('message', JSON.stringify({ type: 'chat' }));
    socket.emit('message', Buffer.from([0, 1, 2]));
    await trail.flush();
    const { models } = await trail.store();
    const rows = (await models.UserAction.findAll({ order: [['id', 'ASC']], raw: true })) as unknown as UserActionRow[];
    const dataOf = ({ request_data: data }: UserActionRow) => (typeof data === 'string' ? JSON.parse(data) : data).data;
    expect(rows.map((row) => [row.action_type, dataOf(row)])).toEqual([
      ['WS:chat', { type: 'chat' }],
      ['WS:MESSAGE', { binary: true, bytes: 3 }],
    ]);
    await trail.close();
  });
});

describe('connections opened before auditWebSocket', () => {
  it('WSU12 are left unaudited, and the host is told how many', async () => {
    const logger = memoryLogger();
    const trail = createAuditTrail({ database: 'sqlite::memory:', logger, handleSignals: false });
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
    await Promise.all([once(client, 'open'), once(wss, 'connection')]);
    auditWebSocket(wss, trail);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^auditWebSocket: 1 connection\(s\) opened before it was called are not audited/) }),
    );
    client.terminate();
    wss.close();
    await trail.close();
  });
});
