import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import type { DeviceView, GridView, PlaceView } from '../../api/types.ts';
import { type CompoundFacts, type CompoundState, type CompoundStateRule, deviceOfflineRule } from './compound-state.ts';
import { type LoopCounts, loopFactsByCompound, noLoopFacts } from './loop-facts.ts';

/** A compound with what the big screen shows about it. */
export type CompoundSummary = {
  id: string;
  code: string;
  name: string;
  communityName: string | null;
  type: string | null;
  population: number;
  households: number;
  buildings: number;
  facts: CompoundFacts;
  state: CompoundState;
};

/** The figures of the KPI tiles, all derived from the twin's API answers. */
export type TwinKpis = {
  devices: number;
  online: number;
  offline: number;
  unknown: number;
  /** Online devices as a share of all devices, 0–1; null without devices. */
  onlineShare: number | null;
  compounds: number;
  residents: number;
  households: number;
  grids: number;
  communities: number;
};

/** Everything the big screen draws, computed once per load (never per device in React). */
export type TwinModel = {
  kpis: TwinKpis;
  compounds: Map<string, CompoundSummary>;
  /** Device ids by compound id (devices on its buildings and facilities included). */
  devicesByCompound: Map<string, DeviceView[]>;
  /** Devices per kind, most first; `label` is the server's (Chinese) name of the kind. */
  devicesByKind: { kind: string; label: string; count: number }[];
  residentsByCommunity: { name: string; residents: number }[];
  layers: TwinLayers;
  /** [minLng, minLat, maxLng, maxLat] of the compounds and grids, or null when there is nothing to show. */
  bounds: [number, number, number, number] | null;
};

/** The GeoJSON the map's own layers draw. */
export type TwinLayers = {
  compounds: FeatureCollection;
  communities: FeatureCollection;
  grids: FeatureCollection;
  devices: FeatureCollection<Point>;
};

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The compound a place belongs to (itself, or the nearest compound above it), by the parent chain. */
export function compoundResolver(places: PlaceView[]): (placeId: string) => string | null {
  const byId = new Map(places.map((p) => [p.id, p]));
  const memo = new Map<string, string | null>();
  const resolve = (id: string, depth = 0): string | null => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const place = byId.get(id);
    let found: string | null = null;
    if (place?.kind === 'compound') found = place.id;
    else if (place?.parentId && depth < 16) found = resolve(place.parentId, depth + 1);
    memo.set(id, found);
    return found;
  };
  return (placeId) => resolve(placeId);
}

/** Grows a bounding box by every position of a geometry. */
function extend(box: number[], geometry: unknown): void {
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      box[0] = Math.min(box[0]!, c[0]);
      box[1] = Math.min(box[1]!, c[1]);
      box[2] = Math.max(box[2]!, c[0]);
      box[3] = Math.max(box[3]!, c[1]);
      return;
    }
    for (const x of c) walk(x);
  };
  if (geometry && typeof geometry === 'object' && 'coordinates' in geometry) walk(geometry.coordinates);
}

const isArea = (g: unknown): g is Geometry =>
  !!g && typeof g === 'object' && 'type' in g && (g.type === 'Polygon' || g.type === 'MultiPolygon');

/**
 * Builds the big screen's model from the API's places, grids and devices (each already filtered
 * to the viewer's scope by the server). `rule` colours the compounds; `loop` (open alarms and
 * cases per place, or null while unavailable) adds the closed loop's facts to each compound's.
 */
export function twinModelBuilder(
  input: { places: PlaceView[]; grids: GridView[]; devices: DeviceView[] },
  rule: CompoundStateRule = deviceOfflineRule,
  loop: LoopCounts | null = null,
): TwinModel {
  const { places, grids, devices } = input;
  const compoundOf = compoundResolver(places);
  const placeById = new Map(places.map((p) => [p.id, p]));
  const loopFacts = loop ? loopFactsByCompound(loop, compoundOf) : null;

  const devicesByCompound = new Map<string, DeviceView[]>();
  const kinds = new Map<string, { label: string; count: number }>();
  let online = 0;
  let offline = 0;
  for (const d of devices) {
    if (d.status === 'online') online++;
    else if (d.status === 'offline') offline++;
    const k = kinds.get(d.kind);
    if (k) k.count++;
    else kinds.set(d.kind, { label: d.kindLabel, count: 1 });
    const c = compoundOf(d.placeId);
    if (c) {
      const list = devicesByCompound.get(c);
      if (list) list.push(d);
      else devicesByCompound.set(c, [d]);
    }
  }

  const compounds = new Map<string, CompoundSummary>();
  const communityResidents = new Map<string, number>();
  const box = [180, 90, -180, -90];
  const compoundFeatures: Feature[] = [];
  for (const p of places) {
    if (p.kind !== 'compound') continue;
    const list = devicesByCompound.get(p.id) ?? [];
    const facts: CompoundFacts = { devices: list.length, online: 0, offline: 0, unknown: 0 };
    for (const d of list) facts[d.status]++;
    if (loopFacts) Object.assign(facts, loopFacts.get(p.id) ?? noLoopFacts);
    const community = p.parentId ? placeById.get(p.parentId) : undefined;
    const summary: CompoundSummary = {
      id: p.id,
      code: p.code,
      name: p.name,
      communityName: community?.name ?? null,
      type: typeof p.attributes.type === 'string' ? p.attributes.type : null,
      population: num(p.attributes.population),
      households: num(p.attributes.households),
      buildings: num(p.attributes.buildings),
      facts,
      state: rule(facts),
    };
    compounds.set(p.id, summary);
    if (community)
      communityResidents.set(community.name, (communityResidents.get(community.name) ?? 0) + summary.population);
    if (isArea(p.geometry)) {
      extend(box, p.geometry);
      compoundFeatures.push({
        type: 'Feature',
        id: p.id,
        geometry: p.geometry,
        properties: { id: p.id, name: p.name, state: summary.state },
      });
    }
  }

  const gridFeatures: Feature[] = [];
  for (const g of grids) {
    if (!isArea(g.geometry)) continue;
    extend(box, g.geometry);
    gridFeatures.push({ type: 'Feature', id: g.id, geometry: g.geometry, properties: { id: g.id, code: g.code } });
  }
  const communityPlaces = places.filter((p) => p.kind === 'community');
  const communityFeatures: Feature[] = communityPlaces
    .filter((p) => isArea(p.geometry))
    .map((p) => ({ type: 'Feature', id: p.id, geometry: p.geometry as Geometry, properties: { id: p.id } }));

  // Only what the map draws travels to MapLibre's worker: position, kind and status.
  const deviceFeatures: Feature<Point>[] = devices.map((d) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: d.location },
    properties: { id: d.id, kind: d.kind, status: d.status },
  }));

  const summaries = [...compounds.values()];
  return {
    kpis: {
      devices: devices.length,
      online,
      offline,
      unknown: devices.length - online - offline,
      onlineShare: devices.length === 0 ? null : online / devices.length,
      compounds: summaries.length,
      residents: summaries.reduce((s, c) => s + c.population, 0),
      households: summaries.reduce((s, c) => s + c.households, 0),
      grids: grids.length,
      communities: communityPlaces.length,
    },
    compounds,
    devicesByCompound,
    devicesByKind: [...kinds.entries()]
      .map(([kind, v]) => ({ kind, label: v.label, count: v.count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    residentsByCommunity: [...communityResidents.entries()]
      .map(([name, residents]) => ({ name, residents }))
      .sort((a, b) => b.residents - a.residents),
    layers: {
      compounds: { type: 'FeatureCollection', features: compoundFeatures },
      communities: { type: 'FeatureCollection', features: communityFeatures },
      grids: { type: 'FeatureCollection', features: gridFeatures },
      devices: { type: 'FeatureCollection', features: deviceFeatures },
    },
    bounds: box[0]! <= box[2]! ? (box as [number, number, number, number]) : null,
  };
}
