import type { Role } from './roles.ts';

/**
 * The part of the place tree a user may see: the subtree under `path` (null: everything),
 * narrowed to one grid cell for a grid worker.
 */
export type Scope = {
  placeId: string | null;
  path: string | null;
  gridId: string | null;
};

/** Who is calling, once authenticated. */
export type Principal = {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  scope: Scope;
  /** How the caller proved who they are; cookie sessions need a CSRF token to write. */
  via: 'session' | 'token';
  csrfToken?: string;
  sessionIdHash?: string;
};

/** Something that sits somewhere in the place tree. */
export type Scoped = { path: string; gridId: string | null };

/** Whether a scoped thing lies inside the principal's scope. */
export function inScope(scope: Scope, thing: Scoped): boolean {
  if (scope.path !== null && !thing.path.startsWith(scope.path)) return false;
  if (scope.gridId !== null && thing.gridId !== scope.gridId) return false;
  return true;
}

/** Actor name for the audit log. */
export function actorOf(principal: Principal): string {
  return `user:${principal.username}`;
}
