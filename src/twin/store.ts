import type { Scope } from '../kernel/auth/principal.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import type { BBox } from '../kernel/geo/geometry.ts';

export type PlaceRow = Database['places'];
export type GridRow = Database['grids'];
export type DeviceRow = Database['devices'];

type Page = { limit: number; offset: number };

/** Narrows a query on a table with `path` and a grid column to the caller's scope. */
function scoped<Q extends { where: (...args: never[]) => Q }>(q: Q, scope: Scope, gridColumn: string): Q {
  const w = q.where as unknown as (col: string, op: string, v: unknown) => Q;
  let out = q;
  if (scope.path !== null) out = w.call(out, 'path', 'like', `${scope.path}%`);
  if (scope.gridId !== null) out = (out.where as unknown as typeof w).call(out, gridColumn, '=', scope.gridId);
  return out;
}

export type PlaceFilter = { kind?: string | undefined; parentId?: string | undefined; bbox?: BBox | undefined };

export async function listPlaces(db: Executor, scope: Scope, f: PlaceFilter, page: Page) {
  let q = scoped(db.selectFrom('places'), scope, 'grid_id');
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.parentId) q = q.where('parent_id', '=', f.parentId);
  if (f.bbox) {
    q = q
      .where('lng', '>=', f.bbox.minX)
      .where('lng', '<=', f.bbox.maxX)
      .where('lat', '>=', f.bbox.minY)
      .where('lat', '<=', f.bbox.maxY);
  }
  const rows = await q.selectAll().orderBy('code').limit(page.limit).offset(page.offset).execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

export async function allPlacesInScope(db: Executor, scope: Scope): Promise<PlaceRow[]> {
  return scoped(db.selectFrom('places'), scope, 'grid_id').selectAll().orderBy('path').execute();
}

export async function findPlace(db: Executor, id: string): Promise<PlaceRow | undefined> {
  return db.selectFrom('places').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPlacesByCode(db: Executor, codes: string[]): Promise<PlaceRow[]> {
  if (codes.length === 0) return [];
  return db.selectFrom('places').selectAll().where('code', 'in', codes).execute();
}

export async function insertPlace(db: Executor, row: PlaceRow): Promise<void> {
  await db.insertInto('places').values(row).execute();
}

export async function updatePlace(db: Executor, id: string, patch: Partial<PlaceRow>): Promise<void> {
  await db.updateTable('places').set(patch).where('id', '=', id).execute();
}

export async function deletePlace(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('places').where('id', '=', id).execute();
}

/** Counts of what still hangs on a place (children, devices, grids, users scoped to it). */
export async function dependentsOf(db: Executor, id: string) {
  const count = async (table: 'places' | 'devices' | 'grids' | 'users', column: string) => {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column as never, '=', id as never)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  return {
    children: await count('places', 'parent_id'),
    devices: await count('devices', 'place_id'),
    grids: await count('grids', 'community_id'),
    users: await count('users', 'scope_place_id'),
  };
}

/** Moves a subtree: every path that starts with `from` starts with `to` instead. */
export async function rewritePaths(db: Executor, from: string, to: string): Promise<void> {
  for (const table of ['places', 'grids', 'devices'] as const) {
    const rows = await db.selectFrom(table).select(['id', 'path']).where('path', 'like', `${from}%`).execute();
    for (const r of rows) {
      await db
        .updateTable(table)
        .set({ path: to + r.path.slice(from.length) })
        .where('id', '=', r.id)
        .execute();
    }
  }
}

export async function listGrids(db: Executor, scope: Scope, f: { communityId?: string | undefined }, page: Page) {
  let q = scoped(db.selectFrom('grids'), scope, 'id');
  if (f.communityId) q = q.where('community_id', '=', f.communityId);
  const rows = await q.selectAll().orderBy('code').limit(page.limit).offset(page.offset).execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

export async function allGrids(db: Executor): Promise<GridRow[]> {
  return db.selectFrom('grids').selectAll().execute();
}

export async function allGridsInScope(db: Executor, scope: Scope): Promise<GridRow[]> {
  return scoped(db.selectFrom('grids'), scope, 'id').selectAll().orderBy('code').execute();
}

export async function findGrid(db: Executor, id: string): Promise<GridRow | undefined> {
  return db.selectFrom('grids').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findGridsByCode(db: Executor, codes: string[]): Promise<GridRow[]> {
  if (codes.length === 0) return [];
  return db.selectFrom('grids').selectAll().where('code', 'in', codes).execute();
}

export async function insertGrid(db: Executor, row: GridRow): Promise<void> {
  await db.insertInto('grids').values(row).execute();
}

export async function updateGrid(db: Executor, id: string, patch: Partial<GridRow>): Promise<void> {
  await db.updateTable('grids').set(patch).where('id', '=', id).execute();
}

export async function deleteGrid(db: Executor, id: string): Promise<void> {
  await db.updateTable('places').set({ grid_id: null }).where('grid_id', '=', id).execute();
  await db.updateTable('devices').set({ grid_id: null }).where('grid_id', '=', id).execute();
  await db.updateTable('users').set({ scope_grid_id: null }).where('scope_grid_id', '=', id).execute();
  await db.deleteFrom('grids').where('id', '=', id).execute();
}

/** Compound polygons, for the spatial index. */
export async function allCompounds(db: Executor): Promise<Pick<PlaceRow, 'id' | 'geometry'>[]> {
  return db.selectFrom('places').select(['id', 'geometry']).where('kind', '=', 'compound').execute();
}

/** Places and devices located under a path, with their points, to re-derive their grid. */
export async function locatedUnder(db: Executor, path: string) {
  const places = await db
    .selectFrom('places')
    .select(['id', 'lng', 'lat', 'grid_id'])
    .where('path', 'like', `${path}%`)
    .execute();
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'lng', 'lat', 'grid_id'])
    .where('path', 'like', `${path}%`)
    .execute();
  return { places, devices };
}

export async function setGridOf(db: Executor, table: 'places' | 'devices', id: string, gridId: string | null) {
  await db.updateTable(table).set({ grid_id: gridId }).where('id', '=', id).execute();
}

export type DeviceFilter = {
  kind?: string | undefined;
  placeId?: string | undefined;
  gridId?: string | undefined;
  status?: string | undefined;
};

export async function listDevices(db: Executor, scope: Scope, f: DeviceFilter, page: Page) {
  let q = scoped(db.selectFrom('devices'), scope, 'grid_id');
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.placeId) q = q.where('place_id', '=', f.placeId);
  if (f.gridId) q = q.where('grid_id', '=', f.gridId);
  if (f.status) q = q.where('status', '=', f.status);
  const rows = await q.selectAll().orderBy('code').limit(page.limit).offset(page.offset).execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

export async function findDevice(db: Executor, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDeviceByCode(db: Executor, code: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertDevices(db: Executor, rows: DeviceRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('devices')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

export async function updateDevice(db: Executor, id: string, patch: Partial<DeviceRow>): Promise<void> {
  await db.updateTable('devices').set(patch).where('id', '=', id).execute();
}

export async function deleteDevice(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('devices').where('id', '=', id).execute();
}

/** Every device's code and kind (the demo simulator's roll call). */
export async function allDeviceKinds(db: Executor): Promise<Pick<DeviceRow, 'code' | 'kind'>[]> {
  return db.selectFrom('devices').select(['code', 'kind']).orderBy('code').execute();
}
