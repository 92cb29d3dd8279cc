import { resolveRequestId } from '../capture/request-id.js';
import type { Outcome } from '../capture/outcome.js';
import type { WebSocketAuditConfig } from './options.js';

/** One inbound frame, as the audit reads it before the host's listeners run. */
export interface InboundMessage {
  /** The action name: `WS:` comes in front of it in `action_type`. */
  readonly name: string;
  /** What a reply carries to complete this message's row; undefined for a message no reply is awaited for. */
  readonly replyKey: string | undefined;
  /** The `request_id` column. */
  readonly requestId: string;
  /** What `request_data.data` holds. */
  readonly data: unknown;
  /** Why the frame could not be read as a request (invalid JSON, a throwing `action()`). */
  readonly error: unknown;
}

/** What an outgoing message says about the inbound message it answers. */
export interface Reply {
  readonly replyKey: string;
  readonly status: number | null;
  readonly outcome: Outcome;
}

const INVALID_REQUEST = 'INVALID_REQUEST';
const MESSAGE = 'MESSAGE';
/** The reference's status codes: 0 = OK, 1 = ERROR, 2 = INVALID_DATA, 3 = PERMISSION_DENIED. */
const STATUS_OK = 0;
const STATUS_PERMISSION_DENIED = 3;
const OPEN_BRACE = 0x7b;

type Fields = Record<string, unknown>;

/** `data` as ws hands it to 'message' listeners, whatever the socket's binaryType. */
function bufferOf(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(String(data));
}

export function readInbound(data: unknown, isBinary: boolean, config: WebSocketAuditConfig): InboundMessage {
  const buffer = bufferOf(data);
  let message: unknown;
  if (isBinary) {
    const decoded = config.decode?.(buffer);
    if (typeof decoded !== 'object' || decoded === null) return unnamed({ binary: true, bytes: buffer.length }, undefined);
    message = decoded;
  } else {
    try {
      message = JSON.parse(buffer.toString());
    } catch (error) {
      return unnamed({ bytes: buffer.length }, error);
    }
  }
  if (typeof message !== 'object' || message === null) return unnamed(message, undefined);
  const fields = message as Fields;
  let name: string;
  try {
    name = nameOf(fields, config);
  } catch (error) {
    return unnamed(message, error);
  }
  const replyKey = replyKeyOf(fields);
  return {
    name,
    replyKey,
    requestId: resolveRequestId(replyKey),
    // The reference's envelope: its `data` is the payload; anything else is recorded whole.
    data: typeof fields.pkg_id === 'number' ? fields.data : message,
    error: undefined,
  };
}

/** A frame that is not a request: recorded as `WS:MESSAGE`, or as `WS:INVALID_REQUEST` when reading it failed. */
function unnamed(data: unknown, error: unknown): InboundMessage {
  return { name: error === undefined ? MESSAGE : INVALID_REQUEST, replyKey: undefined, requestId: resolveRequestId(undefined), data, error };
}

function nameOf(fields: Fields, config: WebSocketAuditConfig): string {
  const chosen = config.action?.(fields);
  if (typeof chosen === 'string' && chosen !== '') return chosen;
  const { pkg_id: pkgId } = fields;
  if (typeof pkgId === 'number') return config.actions.get(pkgId) ?? String(pkgId);
  for (const field of [fields.type, fields.action, fields.method]) if (typeof field === 'string' && field !== '') return field;
  return MESSAGE;
}

/** The reference's `req_id`, or a JSON-RPC 2.0 request's `id`; a notification (no id) awaits no reply. */
function replyKeyOf(fields: Fields): string | undefined {
  const id = fields.req_id ?? (fields.jsonrpc === '2.0' ? fields.id : undefined);
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** The reply an outgoing message is, or undefined; read only while some message awaits one. */
export function readReply(data: unknown): Reply | undefined {
  // Only a JSON object can be a reply: anything else (a file sent as binary, say) is never decoded.
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) && data[0] === OPEN_BRACE ? data.toString() : undefined;
  if (text === undefined || text.charCodeAt(0) !== OPEN_BRACE) return undefined;
  let fields: Fields;
  try {
    fields = JSON.parse(text) as Fields;
  } catch {
    return undefined;
  }
  const replyKey = replyKeyOf(fields);
  if (replyKey === undefined) return undefined;
  const { status_code: statusCode, error } = fields;
  if (typeof statusCode === 'number') {
    const outcome = statusCode === STATUS_OK ? 'success' : statusCode === STATUS_PERMISSION_DENIED ? 'permission_denied' : 'error';
    return { replyKey, status: statusCode, outcome };
  }
  if (typeof error === 'object' && error !== null) {
    const { code } = error as Fields;
    return { replyKey, status: Number.isInteger(code) ? (code as number) : null, outcome: 'error' };
  }
  return { replyKey, status: null, outcome: 'success' };
}
