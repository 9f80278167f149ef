import type { Feature, FeatureCollection } from 'geojson';
import { z } from 'zod';
import type { Scope } from '../kernel/auth/principal.ts';
import { findUserByUsername, findUsersByIds } from '../kernel/auth/store.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { areaSchema, drawnPlaceGeometrySchema } from '../kernel/geo/geometry.ts';
import { badRequest, outsideScope, type ProblemDetails, toPointer } from '../kernel/problems.ts';
import { gridCreator, gridUpdater } from './grids.ts';
import { placeCreator, placeUpdater } from './places.ts';
import { allowedParents, type PlaceKind, placeKinds } from './schema.ts';
import * as store from './store.ts';
import type { TwinIndex } from './twin-index.ts';

/** Properties with a meaning of their own; every other property is kept as an attribute. */
const reserved = new Set(['kind', 'code', 'name', 'parentCode', 'workerUsername', 'headUsername']);

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const featureSchema = z.object({
  type: z.literal('Feature'),
  geometry: drawnPlaceGeometrySchema.nullable(),
  properties: z
    .object({
      kind: z.enum([...placeKinds, 'grid']),
      code: z.string().min(1).max(64),
      name: z.string().min(1).max(128),
      parentCode: z.string().nullable().optional(),
      workerUsername: z.string().nullable().optional(),
      headUsername: z.string().nullable().optional(),
    })
    .catchall(scalar),
});
const collectionSchema = z.object({ type: z.literal('FeatureCollection'), features: z.array(featureSchema).min(1) });
type ImportFeature = z.infer<typeof featureSchema>;

export type ImportSummary = {
  placesCreated: number;
  placesUpdated: number;
  gridsCreated: number;
  gridsUpdated: number;
};

/**
 * Imports places and grid cells from a GeoJSON FeatureCollection (properties kind, code, name,
 * parentCode; grids also workerUsername, headUsername). Existing codes are updated. The whole
 * file is checked before anything is written, and written in the caller's one transaction: a
 * bad file is rejected whole, with a JSON pointer to each bad feature.
 */
export async function placesImporter(
  unit: Unit,
  index: TwinIndex,
  input: unknown,
  scope: Scope,
): Promise<ImportSummary> {
  const parsed = collectionSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.slice(0, 20).map((i) => ({ pointer: toPointer(i.path), detail: i.message }));
    throw badRequest(`not a valid place FeatureCollection: ${errors[0]?.pointer || '/'} ${errors[0]?.detail}`, errors);
  }
  const features = parsed.data.features;
  const errors: NonNullable<ProblemDetails['errors']> = [];
  const at = (i: number, key: string, detail: string) => errors.push({ pointer: `/features/${i}/${key}`, detail });

  const kindByCode = new Map<string, string>();
  features.forEach((f, i) => {
    if (kindByCode.has(f.properties.code)) at(i, 'properties/code', `code ${f.properties.code} appears twice`);
    kindByCode.set(f.properties.code, f.properties.kind);
  });
  const existing = new Map(
    (
      await store.findPlacesByCode(
        unit.tx,
        features.map((f) => f.properties.parentCode ?? f.properties.code),
      )
    ).map((p) => [p.code, p]),
  );
  const existingSelf = new Map(
    (
      await store.findPlacesByCode(
        unit.tx,
        features.map((f) => f.properties.code),
      )
    ).map((p) => [p.code, p]),
  );
  const existingGrids = new Map(
    (
      await store.findGridsByCode(
        unit.tx,
        features.map((f) => f.properties.code),
      )
    ).map((g) => [g.code, g]),
  );

  for (const [i, f] of features.entries()) {
    const { kind, parentCode, code } = f.properties;
    const parentKind = parentCode ? (kindByCode.get(parentCode) ?? existing.get(parentCode)?.kind) : undefined;
    const allowed: readonly string[] = kind === 'grid' ? ['community'] : allowedParents[kind];
    if (allowed.length === 0 && parentCode) at(i, 'properties/parentCode', `a ${kind} has no parent`);
    if (allowed.length > 0 && !parentCode)
      at(i, 'properties/parentCode', `a ${kind} needs a parentCode (${allowed.join(' or ')})`);
    if (parentCode && !parentKind)
      at(i, 'properties/parentCode', `no place with code ${parentCode} in the file or the twin`);
    if (parentKind && !allowed.includes(parentKind))
      at(i, 'properties/parentCode', `a ${kind} cannot sit under a ${parentKind}`);
    if (kind === 'grid') {
      if (!areaSchema.safeParse(f.geometry).success) at(i, 'geometry', 'a grid needs a Polygon or MultiPolygon');
      if (!/^\d{15}$/.test(code)) at(i, 'properties/code', 'a grid code is 15 digits');
    } else {
      const before = existingSelf.get(code);
      if (before && before.kind !== kind) at(i, 'properties/kind', `code ${code} is a ${before.kind} already`);
      if (existingGrids.has(code)) at(i, 'properties/code', `code ${code} is a grid already`);
    }
    for (const key of ['workerUsername', 'headUsername'] as const) {
      const username = f.properties[key];
      if (username && !(await findUserByUsername(unit.tx, username))) at(i, `properties/${key}`, `no user ${username}`);
    }
  }
  if (errors.length > 0)
    throw badRequest(
      `${errors.length} bad feature(s); nothing was imported. First: ${errors[0]?.pointer} ${errors[0]?.detail}`,
      errors.slice(0, 50),
    );

  const summary: ImportSummary = { placesCreated: 0, placesUpdated: 0, gridsCreated: 0, gridsUpdated: 0 };
  const depth = (k: string) => (k === 'grid' ? placeKinds.length : placeKinds.indexOf(k as PlaceKind));
  const ordered = [...features].sort((a, b) => depth(a.properties.kind) - depth(b.properties.kind));
  const placeIds = new Map<string, string>([...existing.values(), ...existingSelf.values()].map((p) => [p.code, p.id]));
  const inScope = (path: string) => scope.path === null || path.startsWith(scope.path);

  for (const f of ordered) {
    const { kind, code, name, parentCode } = f.properties;
    const parentId = parentCode ? (placeIds.get(parentCode) ?? null) : null;
    const parentPath = parentId ? (await store.findPlace(unit.tx, parentId))?.path : '/';
    if (!inScope(parentPath ?? '/'))
      throw outsideScope(`feature ${code} lies outside your scope; nothing was imported`);
    if (kind === 'grid') {
      const people = await peopleIds(unit, f);
      const before = existingGrids.get(code);
      const geometry = areaSchema.parse(f.geometry);
      if (before) {
        await gridUpdater(unit, index, before, { name, geometry, attributes: attributesOf(f), ...people });
        summary.gridsUpdated++;
      } else {
        await gridCreator(unit, index, {
          code,
          name,
          communityId: parentId ?? '',
          geometry,
          attributes: attributesOf(f),
          ...people,
        });
        summary.gridsCreated++;
      }
      continue;
    }
    const before = existingSelf.get(code);
    const fields = { code, name, parentId, geometry: f.geometry, attributes: attributesOf(f) };
    if (before) {
      await placeUpdater(unit, index, before, fields);
      summary.placesUpdated++;
    } else {
      const row = await placeCreator(unit, index, { ...fields, kind });
      placeIds.set(code, row.id);
      summary.placesCreated++;
    }
  }
  return summary;
}

async function peopleIds(unit: Unit, f: ImportFeature) {
  const id = async (username: string | null | undefined) =>
    username ? ((await findUserByUsername(unit.tx, username))?.id ?? null) : null;
  return { workerId: await id(f.properties.workerUsername), headId: await id(f.properties.headUsername) };
}

function attributesOf(f: ImportFeature): Record<string, z.infer<typeof scalar>> {
  return Object.fromEntries(Object.entries(f.properties).filter(([k]) => !reserved.has(k))) as Record<
    string,
    z.infer<typeof scalar>
  >;
}

/** The places and grid cells within a scope as a FeatureCollection that `placesImporter` reads back. */
export async function placesExporter(db: Executor, scope: Scope): Promise<FeatureCollection> {
  const places = await store.allPlacesInScope(db, scope);
  const grids = await store.allGridsInScope(db, scope);
  const parents = new Map(
    (await store.allPlacesInScope(db, { placeId: null, path: null, gridId: null })).map((p) => [p.id, p.code]),
  );
  const people = new Map(
    (
      await findUsersByIds(
        db,
        grids.flatMap((g) => [g.worker_id, g.head_id]).filter((x): x is string => !!x),
      )
    ).map((u) => [u.id, u.username]),
  );
  const features: Feature[] = [
    ...places.map(
      (p): Feature => ({
        type: 'Feature',
        geometry: p.geometry
          ? JSON.parse(p.geometry)
          : p.lng !== null && p.lat !== null
            ? { type: 'Point', coordinates: [p.lng, p.lat] }
            : null,
        properties: {
          ...JSON.parse(p.attributes),
          kind: p.kind,
          code: p.code,
          name: p.name,
          parentCode: p.parent_id ? (parents.get(p.parent_id) ?? null) : null,
        },
      }),
    ),
    ...grids.map(
      (g): Feature => ({
        type: 'Feature',
        geometry: JSON.parse(g.geometry),
        properties: {
          ...JSON.parse(g.attributes),
          kind: 'grid',
          code: g.code,
          name: g.name,
          parentCode: parents.get(g.community_id) ?? null,
          workerUsername: g.worker_id ? (people.get(g.worker_id) ?? null) : null,
          headUsername: g.head_id ? (people.get(g.head_id) ?? null) : null,
        },
      }),
    ),
  ];
  return { type: 'FeatureCollection', features };
}
