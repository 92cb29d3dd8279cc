import { describe, it, expect } from 'vitest';
import { ANONYMOUS, userFromClaims } from '../../src/capture/user.js';

describe('userFromClaims', () => {
  it('reads a Keycloak token with realm and two clients, roles deduplicated in first-seen order', () => {
    const claims = {
      sub: 'f1c9e5a2-1234-4bcd-9def-0123456789ab',
      preferred_username: 'alice',
      name: 'Alice Liddell',
      email: 'alice@example.com',
      realm_access: { roles: ['offline_access', 'user', 'admin'] },
      resource_access: {
        account: { roles: ['manage-account', 'view-profile', 'user'] },
        'orders-api': { roles: ['admin', 'orders:write', 'manage-account'] },
      },
    };
    expect(userFromClaims(claims)).toEqual({
      userId: 'f1c9e5a2-1234-4bcd-9def-0123456789ab',
      username: 'alice',
      roles: ['offline_access', 'user', 'admin', 'manage-account', 'view-profile', 'orders:write'],
    });
  });

  it('deduplicates a long role list in first-seen order too, and reads no inherited client', () => {
    const realm = Array.from({ length: 80 }, (_, i) => `realm-${i % 50}`);
    const inherited = Object.create({ polluted: { roles: ['admin'] } }) as Record<string, unknown>;
    inherited.app = { roles: ['realm-3', 'app-only', 'realm-59'] };
    const user = userFromClaims({ sub: 'u', realm_access: { roles: realm }, resource_access: inherited, roles: ['realm-0', 'plain'] });
    expect(user?.roles).toEqual([...Array.from({ length: 50 }, (_, i) => `realm-${i}`), 'app-only', 'realm-59', 'plain']);
  });

  it('tolerates malformed Keycloak role claims', () => {
    const claims = {
      sub: 'u1',
      realm_access: { roles: 'admin' },
      resource_access: { broken: null, other: { roles: [1, null, 'viewer', '', { role: 'x' }] }, weird: 'x' },
    };
    expect(userFromClaims(claims)?.roles).toEqual(['viewer']);
  });

  it('accepts id/username/roles shapes', () => {
    expect(userFromClaims({ id: 'u-7', username: 'bob', roles: ['editor', 'editor', 3, 'viewer'] })).toEqual({
      userId: 'u-7',
      username: 'bob',
      roles: ['editor', 'viewer'],
    });
    expect(userFromClaims({ userId: 'u-8', email: 'carol@example.com' })).toEqual({
      userId: 'u-8',
      username: 'carol@example.com',
      roles: [],
    });
  });

  it('prefers the Keycloak claims over the generic ones', () => {
    expect(userFromClaims({ sub: 's', id: 'i', preferred_username: 'p', username: 'u', name: 'n' })).toMatchObject({
      userId: 's',
      username: 'p',
    });
  });

  it('merges realm, client and plain roles', () => {
    const claims = { sub: 'x', realm_access: { roles: ['a'] }, resource_access: { c: { roles: ['b'] } }, roles: ['c', 'a'] };
    expect(userFromClaims(claims)?.roles).toEqual(['a', 'b', 'c']);
  });

  it('turns numeric ids into strings', () => {
    expect(userFromClaims({ id: 42 })).toEqual({ userId: '42', username: '42', roles: [] });
    expect(userFromClaims({ id: 0, name: 'zero' })).toEqual({ userId: '0', username: 'zero', roles: [] });
  });

  it('falls back from the username to the id and back', () => {
    expect(userFromClaims({ sub: 'only-id' })).toMatchObject({ userId: 'only-id', username: 'only-id' });
    expect(userFromClaims({ username: 'only-name' })).toMatchObject({ userId: 'only-name', username: 'only-name' });
  });

  it('skips unusable identifiers and tries the next candidate', () => {
    expect(userFromClaims({ sub: '', id: 'real', username: { first: 'x' }, name: 'n' })).toMatchObject({
      userId: 'real',
      username: 'n',
    });
    expect(userFromClaims({ id: Number.NaN, username: 'u' })).toMatchObject({ userId: 'u' });
  });

  it.each([null, undefined, 'alice', 42, true, {}, { roles: ['admin'] }, { id: '', username: '' }, { id: {} }])('returns undefined for %j', (user) => {
    expect(userFromClaims(user)).toBeUndefined();
  });
});

describe('ANONYMOUS', () => {
  it('is anonymous/anonymous without roles', () => {
    expect(ANONYMOUS).toEqual({ userId: 'anonymous', username: 'anonymous', roles: [] });
  });

  it('cannot be modified, roles included', () => {
    expect(Object.isFrozen(ANONYMOUS)).toBe(true);
    expect(() => ANONYMOUS.roles.push('admin')).toThrow(TypeError);
    expect(() => {
      (ANONYMOUS as { userId: string }).userId = 'root';
    }).toThrow(TypeError);
  });
});
