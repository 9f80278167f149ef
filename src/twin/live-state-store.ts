import type { Scope } from '../kernel/auth/principal.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';

/** What the signal and rule modules need to know of a device (never its token). */
export type DeviceContext = {
  id: string;
  code: string;
  name: string;
  kind: string;
  placeId: string;
  path: string;
  gridId: string | null;
  lng: number;
  lat: number;
  status: string;
  lastSeenAt: string | null;
};

const columns = [
  'id',
  'code',
  'name',
  'kind',
  'place_id',
  'path',
  'grid_id',
  'lng',
  'lat',
  'status',
  'last_seen_at',
] as const;

type Row = {
  id: string;
  code: string;
  name: string;
  kind: string;
  place_id: string;
  path: string;
  grid_id: string | null;
  lng: number;
  lat: number;
  status: string;
  last_seen_at: string | null;
};

const toContext = (r: Row): DeviceContext => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  placeId: r.place_id,
  path: r.path,
  gridId: r.grid_id,
  lng: Number(r.lng),
  lat: Number(r.lat),
  status: r.status,
  lastSeenAt: r.last_seen_at,
});

// Long IN lists in slices, well under both engines' parameter limits.
const slice = 500;

async function inSlices(values: readonly string[], fn: (part: string[]) => Promise<Row[]>): Promise<DeviceContext[]> {
  const out: DeviceContext[] = [];
  for (let i = 0; i < values.length; i += slice) out.push(...(await fn(values.slice(i, i + slice))).map(toContext));
  return out;
}

export async function deviceByTokenHash(db: Executor, tokenHash: string): Promise<DeviceContext | undefined> {
  const row = await db.selectFrom('devices').select(columns).where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? toContext(row) : undefined;
}

export function devicesById(db: Executor, ids: readonly string[]): Promise<DeviceContext[]> {
  return inSlices(ids, (part) => db.selectFrom('devices').select(columns).where('id', 'in', part).execute());
}

export function devicesByCode(db: Executor, codes: readonly string[]): Promise<DeviceContext[]> {
  return inSlices(codes, (part) => db.selectFrom('devices').select(columns).where('code', 'in', part).execute());
}

/** Moves a device's last-seen time forward (never back) and marks it online. */
export async function markSeen(db: Executor, id: string, at: string): Promise<void> {
  // `updated_at` tells of changes to the device's record, not of its traffic: left alone.
  await db
    .updateTable('devices')
    .set({ status: 'online', last_seen_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', at), eb('status', '!=', 'online')]))
    .execute();
}

/** Online devices silent since before `cutoff`. */
export async function onlineSilentSince(db: Executor, cutoff: string): Promise<DeviceContext[]> {
  const rows = await db
    .selectFrom('devices')
    .select(columns)
    .where('status', '=', 'online')
    .where('last_seen_at', '<', cutoff)
    .execute();
  return rows.map(toContext);
}

/** Devices heard from at least once but silent since before `cutoff`. */
export async function seenButSilentSince(db: Executor, cutoff: string): Promise<DeviceContext[]> {
  const rows = await db
    .selectFrom('devices')
    .select(columns)
    .where('last_seen_at', 'is not', null)
    .where('last_seen_at', '<', cutoff)
    .execute();
  return rows.map(toContext);
}

export async function markOffline(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('devices')
    .set({ status: 'offline' })
    .where('id', '=', id)
    .where('status', '=', 'online')
    .execute();
}

/** Device counts by place path and status under `path`, narrowed to a scope. */
export async function statusCountsUnder(db: Executor, path: string, scope: Scope) {
  let q = db.selectFrom('devices').where('path', 'like', `${path}%`);
  if (scope.path !== null) q = q.where('path', 'like', `${scope.path}%`);
  if (scope.gridId !== null) q = q.where('grid_id', '=', scope.gridId);
  const rows = await q
    .select(['path', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['path', 'status'])
    .execute();
  return rows.map((r) => ({ path: r.path, status: r.status, n: Number(r.n) }));
}

/** A place as the live state names it. */
export type PlaceBrief = {
  id: string;
  code: string;
  name: string;
  kind: string;
  path: string;
  parentId: string | null;
};

const placeColumns = ['id', 'code', 'name', 'kind', 'path', 'parent_id'] as const;

const toBrief = (r: {
  id: string;
  code: string;
  name: string;
  kind: string;
  path: string;
  parent_id: string | null;
}) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  path: r.path,
  parentId: r.parent_id,
});

export async function placesById(db: Executor, ids: readonly string[]): Promise<PlaceBrief[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('places')
    .select(placeColumns)
    .where('id', 'in', [...ids])
    .execute();
  return rows.map(toBrief);
}

export async function childPlaces(db: Executor, parentId: string): Promise<PlaceBrief[]> {
  const rows = await db
    .selectFrom('places')
    .select(placeColumns)
    .where('parent_id', '=', parentId)
    .orderBy('code')
    .execute();
  return rows.map(toBrief);
}

/** The top of the tree: places without a parent. */
export async function rootPlaces(db: Executor): Promise<PlaceBrief[]> {
  const rows = await db
    .selectFrom('places')
    .select(placeColumns)
    .where('parent_id', 'is', null)
    .orderBy('code')
    .execute();
  return rows.map(toBrief);
}
