import type { Principal } from '../kernel/auth/principal.ts';
import { staffRoles } from '../kernel/auth/roles.ts';
import type { UserRow } from '../kernel/auth/store.ts';
import { maskName, maskPhone } from '../kernel/privacy.ts';
import {
  type DeviceView,
  deviceKindLabels,
  type GridView,
  type PlaceView,
  placeKindLabels,
  placeKindSchema,
} from './schema.ts';
import type { DeviceRow, GridRow, PlaceRow } from './store.ts';

/** A place as clients see it. */
export function presentPlace(row: PlaceRow): PlaceView {
  const kind = placeKindSchema.parse(row.kind);
  return {
    id: row.id,
    code: row.code,
    kind,
    kindLabel: placeKindLabels[kind],
    name: row.name,
    parentId: row.parent_id,
    gridId: row.grid_id,
    geometry: row.geometry ? JSON.parse(row.geometry) : null,
    point: row.lng !== null && row.lat !== null ? [row.lng, row.lat] : null,
    attributes: JSON.parse(row.attributes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A grid cell with its worker and head. Their names and work phones are shown in full to the
 * district's staff, masked for everyone else.
 */
export function presentGrid(row: GridRow, people: Map<string, UserRow>, viewer: Principal): GridView {
  const full = staffRoles.includes(viewer.role);
  const person = (id: string | null) => {
    const u = id ? people.get(id) : undefined;
    if (!u) return null;
    return {
      id: u.id,
      name: full ? u.display_name : maskName(u.display_name),
      phone: full ? u.phone : maskPhone(u.phone),
    };
  };
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    communityId: row.community_id,
    geometry: JSON.parse(row.geometry),
    worker: person(row.worker_id),
    head: person(row.head_id),
    attributes: JSON.parse(row.attributes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A device as clients see it; never its token. */
export function presentDevice(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    kindLabel: deviceKindLabels[row.kind as keyof typeof deviceKindLabels] ?? row.kind,
    placeId: row.place_id,
    gridId: row.grid_id,
    location: [row.lng, row.lat],
    attributes: JSON.parse(row.attributes),
    status: row.status === 'online' || row.status === 'offline' ? row.status : 'unknown',
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
