// The two requests every bench server answers, and the user a host's auth would have put on them.

export const ITEM_PATH = '/items/:id';
export const LOGIN_PATH = '/login';

/** A JSON POST whose password sits two levels down, so the sanitizer has to walk to redact it. */
export const LOGIN_BODY = JSON.stringify({
  user: { name: 'ada', profile: { locale: 'en-GB', tags: ['admin', 'bench'] }, credentials: { password: 'hunter2', otp: '123456' } },
  remember: true,
});

/** What autocannon sends, in turn, on every connection. */
export const REQUESTS = [
  { method: 'GET', path: '/items/42?fields=name,price' },
  { method: 'POST', path: LOGIN_PATH, headers: { 'content-type': 'application/json' }, body: LOGIN_BODY },
];

export const ITEM = Object.freeze({ id: 42, name: 'teapot', price: 18.5 });

/** A Keycloak-shaped user, as a host's JWT middleware leaves it on every request (bare apps too). */
export const BENCH_USER = Object.freeze({
  sub: 'user-ada',
  preferred_username: 'ada',
  realm_access: { roles: ['get-authors'] },
  resource_access: { 'authors-api': { roles: ['create-author'] } },
});
