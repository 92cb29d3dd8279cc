import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { auditWebSocket } from '../../adapters/express.js';
import { createAuditTrail } from '../../src/index.js';
import type { UserActionRow } from '../../src/store/models.js';

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
