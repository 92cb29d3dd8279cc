import { storableText } from '../capture/text.js';
import { requestError } from '../http/errors.js';
import type { HttpResponse, NeutralRequest, RouteTable } from '../http/types.js';
import type { AuthorCommands } from './commands.js';
import { LIST_PARAMETERS, parseListQuery } from './list-query.js';
import type { AuthorRouteName } from './options.js';

const MAX_NAME_LENGTH = 255;
/** Ids are PostgreSQL INTEGERs: an integer outside 1…2^31-1 can name no author. */
const MAX_ID = 2 ** 31 - 1;

/** The authors API as a table of neutral handlers; adapters only translate. */
export function authorRoutes(commands: () => Promise<AuthorCommands>, roles: Readonly<Partial<Record<AuthorRouteName, readonly string[]>>> = {}): RouteTable {
  return [
    {
      name: 'list',
      method: 'GET',
      path: '/',
      query: LIST_PARAMETERS,
      roles: roles.list,
      handler: async (request) => ok(await (await commands()).listAuthors(parseListQuery(request.query))),
    },
    {
      name: 'get',
      method: 'GET',
      path: '/:id',
      roles: roles.get,
      handler: async (request) => ok(await (await commands()).getAuthor(idOf(request))),
    },
    {
      name: 'create',
      method: 'POST',
      path: '/',
      roles: roles.create,
      handler: async (request) => {
        const author = await (await commands()).createAuthor(await nameOf(request));
        return { status: 201, body: author, headers: { location: `${request.mountPath}/${author.id}` } };
      },
    },
    {
      name: 'update',
      method: 'PUT',
      path: '/:id',
      roles: roles.update,
      handler: async (request) => {
        const id = idOf(request);
        return ok(await (await commands()).renameAuthor(id, await nameOf(request)));
      },
    },
    {
      name: 'delete',
      method: 'DELETE',
      path: '/:id',
      roles: roles.delete,
      handler: async (request) => {
        await (await commands()).deleteAuthor(idOf(request));
        return { status: 204 };
      },
    },
  ];
}

function ok(body: unknown): HttpResponse {
  return { status: 200, body };
}

/** Not an integer: 400. An integer no author can have (0, negative, beyond INTEGER): 404, like any missing id. */
function idOf(request: NeutralRequest): number {
  const text = request.params.id ?? '';
  if (!/^[+-]?\d+$/.test(text)) throw requestError('invalid_id', `author id must be an integer; got "${text}"`);
  const id = Number(text);
  if (id < 1 || id > MAX_ID) throw requestError('not_found', `no author with id ${text}`);
  return id;
}

/** `{ "name": string }`, 1–255 characters once trimmed; other fields are ignored, as the reference's model does. */
async function nameOf(request: NeutralRequest): Promise<string> {
  const body = await request.body();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw requestError('invalid_body', 'the body must be a JSON object such as {"name": "Ursula K. Le Guin"}');
  }
  const { name } = body as { name?: unknown };
  if (typeof name !== 'string') throw requestError('invalid_body', 'name is required and must be a string');
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw requestError('invalid_body', `name must be 1 to ${MAX_NAME_LENGTH} characters after trimming; got ${length}`);
  }
  if (trimmed.includes('\0')) throw requestError('invalid_body', 'name must not contain NUL characters');
  // PostgreSQL stores a lone surrogate as U+FFFD; replacing it here lets the response say what was stored.
  return storableText(trimmed);
}
