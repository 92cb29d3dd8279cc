// The requests every bench server answers, the workloads made of them, and the user a host's auth would
// have put on them.

export const ITEM_PATH = '/items/:id';
export const LOGIN_PATH = '/login';
export const DOCUMENTS_PATH = '/documents';

/** A JSON POST whose password sits two levels down, so the sanitizer has to walk to redact it. */
export const LOGIN_BODY = JSON.stringify({
  user: { name: 'ada', profile: { locale: 'en-GB', tags: ['admin', 'bench'] }, credentials: { password: 'hunter2', otp: '123456' } },
  remember: true,
});

/** Size of the large-bodies workload's JSON documents, in bytes. */
export const DOCUMENT_BYTES = 60_000;

/** A document of about DOCUMENT_BYTES: many small records, so the sanitizer walks it as it would a real one. */
export const DOCUMENT_BODY = documentOf(DOCUMENT_BYTES);

function documentOf(bytes: number): string {
  const sections: unknown[] = [];
  const document = { title: 'Quarterly report', author: { name: 'ada', token: 'not-for-the-trail' }, sections };
  for (let i = 0; JSON.stringify(document).length < bytes; i++) {
    sections.push({ id: i, heading: `Section ${i}`, text: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(4), tags: ['draft', `s${i % 7}`] });
  }
  return JSON.stringify(document);
}

const GET = { method: 'GET', path: '/items/42?fields=name,price' };
const JSON_HEADERS = { 'content-type': 'application/json' };

export interface Workload {
  readonly label: string;
  /** What autocannon sends, in turn, on every connection. */
  readonly requests: ReadonlyArray<{ method: string; path: string; headers?: Record<string, string>; body?: string }>;
}

export const WORKLOADS = {
  get: { label: 'GET only', requests: [GET] },
  mix: { label: 'GET / JSON POST mix', requests: [GET, { method: 'POST', path: LOGIN_PATH, headers: JSON_HEADERS, body: LOGIN_BODY }] },
  documents: {
    label: `JSON POSTs of ${DOCUMENT_BYTES / 1000} KB`,
    requests: [{ method: 'POST', path: DOCUMENTS_PATH, headers: JSON_HEADERS, body: DOCUMENT_BODY }],
  },
} as const satisfies Record<string, Workload>;

export const ITEM = Object.freeze({ id: 42, name: 'teapot', price: 18.5 });

/** A Keycloak-shaped user, as a host's JWT middleware leaves it on every request (bare apps too). */
export const BENCH_USER = Object.freeze({
  sub: 'user-ada',
  preferred_username: 'ada',
  realm_access: { roles: ['get-authors'] },
  resource_access: { 'authors-api': { roles: ['create-author'] } },
});
