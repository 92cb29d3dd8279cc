import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { requestError } from './errors.js';

/** Far more than any body our routes accept; a larger one is refused before it is buffered. */
const BODY_LIMIT_BYTES = 64 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * The request's JSON body. The host's body parser may already have run (`hostParsed` is then its
 * result); otherwise the stream is read here. Either way the content type must be JSON, so a request
 * behaves the same with and without a host parser.
 */
export async function readJsonBody(stream: Readable, headers: IncomingHttpHeaders, hostParsed: unknown): Promise<unknown> {
  const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw requestError('unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
  }
  if (hostParsed !== undefined) return hostParsed;
  const text = stream.readableEnded ? '' : await readText(stream);
  if (text.trim() === '') throw requestError('invalid_body', 'the body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw requestError('invalid_body', 'the body is not valid JSON');
  }
}

function readText(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        cleanup();
        stream.pause();
        reject(requestError('payload_too_large', `the body is larger than ${BODY_LIMIT_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
