/**
 * Shapes of the API's answers. Type-only imports of the server's own Zod-derived types, so the
 * client and the server cannot drift apart; nothing of the server ends up in the bundle.
 */
export type { Role } from '../../../src/kernel/auth/roles.ts';
export type { DeviceView, GridView, PlaceView } from '../../../src/twin/schema.ts';

import type { Role } from '../../../src/kernel/auth/roles.ts';

/** `GET /api/me` and the login answer. */
export type Me = {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  roleLabel: string;
  scope: { placeId: string | null; gridId: string | null };
  csrfToken?: string;
};

/** The envelope of every paged list. */
export type Page<T> = { items: T[]; page: number; pageSize: number; total: number };

/** `GET /api/web-config`. */
export type WebConfig = { basemapStyleUrl: string | null };

/** An RFC 9457 problem as the API sends it. */
export type Problem = { type: string; title: string; status: number; detail?: string };
