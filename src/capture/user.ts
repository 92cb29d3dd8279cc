/** Who performed an audited action. */
export interface AuditUser {
  userId: string;
  username: string;
  roles: string[];
}

/** Recorded for requests without an authenticated user. */
export const ANONYMOUS: AuditUser = Object.freeze({
  userId: 'anonymous',
  username: 'anonymous',
  // Frozen too: a shared default must never collect roles pushed during one request.
  roles: Object.freeze([]) as unknown as string[],
});

type Claims = Record<string, unknown>;

/**
 * Reads the user from decoded token claims or a session user object.
 * Keycloak claims work as-is (`sub`, `preferred_username`, realm and client
 * roles); `id`/`userId`, `username`/`name`/`email` and a `roles` array cover
 * most other auth libraries. Undefined when there is no usable identity.
 */
export function userFromClaims(user: unknown): AuditUser | undefined {
  if (!isObject(user)) return undefined;
  const id = firstIdentifier(user.sub, user.id, user.userId);
  const name = firstIdentifier(user.preferred_username, user.username, user.name, user.email);
  const userId = id ?? name;
  const username = name ?? id;
  if (userId === undefined || username === undefined) return undefined;
  return { userId, username, roles: rolesOf(user) };
}

function firstIdentifier(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
    if (typeof candidate === 'number' && Number.isFinite(candidate)) return String(candidate);
    if (typeof candidate === 'bigint') return String(candidate);
  }
  return undefined;
}

/** Keycloak realm roles, then every client's roles, then a plain `roles` array; first occurrence kept. */
function rolesOf(user: Claims): string[] {
  const clients = isObject(user.resource_access) ? Object.values(user.resource_access) : [];
  const lists = [roleList(user.realm_access), ...clients.map(roleList), user.roles];
  const roles = new Set<string>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const role of list) if (typeof role === 'string' && role !== '') roles.add(role);
  }
  return [...roles];
}

function roleList(access: unknown): unknown {
  return isObject(access) ? access.roles : undefined;
}

function isObject(value: unknown): value is Claims {
  return typeof value === 'object' && value !== null;
}
