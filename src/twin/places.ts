import { randomUUID } from 'node:crypto';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { type Area, centroidOf } from '../kernel/geo/geometry.ts';
import { AreaIndex } from '../kernel/geo/spatial-index.ts';
import { badRequest, conflict, notFound } from '../kernel/problems.ts';
import { presentPlace } from './presenters.ts';
import { allowedParents, type PlaceInput, type PlaceKind, type PlacePatch, placeKindLabels } from './schema.ts';
import * as store from './store.ts';
import { areaEntry, type TwinIndex } from './twin-index.ts';

type Geometry = PlaceInput['geometry'];

/** The representative point of a place's geometry. */
export function pointOf(geometry: Geometry): [number, number] | null {
  if (!geometry) return null;
  if (geometry.type === 'Point') return [geometry.coordinates[0] ?? 0, geometry.coordinates[1] ?? 0];
  return centroidOf(geometry as Area);
}

async function parentFor(tx: Executor, kind: PlaceKind, parentId: string | null | undefined) {
  const allowed = allowedParents[kind];
  if (!parentId) {
    if (allowed.length > 0)
      throw badRequest(`a ${kind} (${placeKindLabels[kind]}) needs a parent: ${allowed.join(' or ')}`);
    return null;
  }
  const parent = await store.findPlace(tx, parentId);
  if (!parent)
    throw badRequest(`parent ${parentId} does not exist`, [{ pointer: '/parentId', detail: 'unknown place' }]);
  if (!allowed.includes(parent.kind as PlaceKind)) {
    throw badRequest(
      `a ${kind} cannot sit under a ${parent.kind}; allowed: ${allowed.join(', ') || 'none (top level)'}`,
      [{ pointer: '/parentId', detail: `a ${parent.kind} cannot hold a ${kind}` }],
    );
  }
  return parent;
}

/** Creates a place under its parent (audited); the spatial index learns it after commit. */
export async function placeCreator(unit: Unit, index: TwinIndex, input: PlaceInput): Promise<store.PlaceRow> {
  if ((await store.findPlacesByCode(unit.tx, [input.code])).length > 0)
    throw conflict(`place code ${input.code} exists`);
  const parent = await parentFor(unit.tx, input.kind, input.parentId);
  const id = randomUUID();
  const point = pointOf(input.geometry);
  const now = unit.clock.now().toISOString();
  const row: store.PlaceRow = {
    id,
    code: input.code,
    kind: input.kind,
    name: input.name,
    parent_id: parent?.id ?? null,
    path: `${parent?.path ?? '/'}${id}/`,
    grid_id: point ? index.locate(point[0], point[1]).gridId : null,
    geometry: input.geometry ? JSON.stringify(input.geometry) : null,
    lng: point?.[0] ?? null,
    lat: point?.[1] ?? null,
    attributes: JSON.stringify(input.attributes ?? {}),
    created_at: now,
    updated_at: now,
  };
  await store.insertPlace(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'place.create',
    subjectType: 'place',
    subjectId: id,
    after: presentPlace(row),
  });
  if (row.kind === 'compound') unit.afterCommit(() => reindexCompound(index, row));
  return row;
}

/** Changes a place (audited); moving it moves its whole subtree. */
export async function placeUpdater(unit: Unit, index: TwinIndex, before: store.PlaceRow, patch: PlacePatch) {
  const kind = before.kind as PlaceKind;
  const after: store.PlaceRow = { ...before, updated_at: unit.clock.now().toISOString() };
  if (patch.code !== undefined && patch.code !== before.code) {
    if ((await store.findPlacesByCode(unit.tx, [patch.code])).length > 0)
      throw conflict(`place code ${patch.code} exists`);
    after.code = patch.code;
  }
  if (patch.name !== undefined) after.name = patch.name;
  if (patch.attributes !== undefined) after.attributes = JSON.stringify(patch.attributes);
  if (patch.geometry !== undefined) {
    const point = pointOf(patch.geometry);
    after.geometry = patch.geometry ? JSON.stringify(patch.geometry) : null;
    after.lng = point?.[0] ?? null;
    after.lat = point?.[1] ?? null;
    after.grid_id = point ? index.locate(point[0], point[1]).gridId : null;
  }
  if (patch.parentId !== undefined && patch.parentId !== before.parent_id) {
    const parent = await parentFor(unit.tx, kind, patch.parentId);
    if (parent?.path.startsWith(before.path)) throw conflict('a place cannot move under itself');
    after.parent_id = parent?.id ?? null;
    after.path = `${parent?.path ?? '/'}${before.id}/`;
    await store.rewritePaths(unit.tx, before.path, after.path);
  }
  await store.updatePlace(unit.tx, before.id, after);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'place.update',
    subjectType: 'place',
    subjectId: before.id,
    before: presentPlace(before),
    after: presentPlace(after),
  });
  if (kind === 'compound') unit.afterCommit(() => reindexCompound(index, after));
  return after;
}

/** Deletes a place that nothing depends on any more (audited); 409 names what still does. */
export async function placeRemover(unit: Unit, index: TwinIndex, row: store.PlaceRow): Promise<void> {
  const deps = await store.dependentsOf(unit.tx, row.id);
  const left = Object.entries(deps).filter(([, n]) => n > 0);
  if (left.length > 0) {
    throw conflict(
      `place ${row.code} still has ${left.map(([what, n]) => `${n} ${what}`).join(', ')}; remove or move them first`,
    );
  }
  await store.deletePlace(unit.tx, row.id);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'place.delete',
    subjectType: 'place',
    subjectId: row.id,
    before: presentPlace(row),
  });
  unit.afterCommit(() => index.removeCompound(row.id));
}

function reindexCompound(index: TwinIndex, row: store.PlaceRow): void {
  index.upsertCompound(row.id, row.geometry);
}

/**
 * Re-derives the grid cell of every place and device under `path` from the grids as they stand
 * in this transaction (after grids change, or after a bulk load).
 */
export async function regridUnder(tx: Executor, path: string): Promise<number> {
  const cells = new AreaIndex();
  cells.load(
    (await store.allGrids(tx))
      .filter((g) => g.path.startsWith(path) || path.startsWith(g.path))
      .flatMap((g) => areaEntry(g.id, g.geometry)),
  );
  const { places, devices } = await store.locatedUnder(tx, path);
  let changed = 0;
  for (const [table, rows] of [
    ['places', places],
    ['devices', devices],
  ] as const) {
    for (const r of rows) {
      const gridId = r.lng !== null && r.lat !== null ? (cells.locate(r.lng, r.lat)[0] ?? null) : null;
      if (gridId !== r.grid_id) {
        await store.setGridOf(tx, table, r.id, gridId);
        changed++;
      }
    }
  }
  return changed;
}

/** Loads a place or answers 404. */
export async function placeLoader(tx: Executor, id: string): Promise<store.PlaceRow> {
  const row = await store.findPlace(tx, id);
  if (!row) throw notFound(`place ${id}`);
  return row;
}
