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

/** Past this many roles, duplicates are left for a Set to drop: includes() would make a long list quadratic. */
const FEW_ROLES = 32;

/**
 * Keycloak realm roles, then every client's roles, then a plain `roles` array; first occurrence kept.
 * Built in place, with no intermediate lists: it runs for every request, and most users have a few roles.
 */
function rolesOf(user: Claims): string[] {
  const roles: string[] = [];
  addRoles(roles, roleList(user.realm_access));
  const clients = user.resource_access;
  if (isObject(clients)) for (const client in clients) if (Object.hasOwn(clients, client)) addRoles(roles, roleList(clients[client]));
  addRoles(roles, user.roles);
  return roles.length > FEW_ROLES ? [...new Set(roles)] : roles;
}

function addRoles(roles: string[], list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const role of list) if (typeof role === 'string' && role !== '' && (roles.length > FEW_ROLES || !roles.includes(role))) roles.push(role);
}

function roleList(access: unknown): unknown {
  return isObject(access) ? access.roles : undefined;
}

function isObject(value: unknown): value is Claims {
  return typeof value === 'object' && value !== null;
}
