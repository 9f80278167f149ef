import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables.ts';
import { type Area, areaSchema } from '../kernel/geo/geometry.ts';
import { AreaIndex } from '../kernel/geo/spatial-index.ts';
import * as store from './store.ts';

/**
 * The twin's spatial index: point → grid cell and point → compound. Loaded at start and kept
 * current by the twin's use cases after each commit. (Several nodes: each node reloads on the
 * twin's change events; until those exist, places are edited through one node.)
 */
export class TwinIndex {
  readonly grids = new AreaIndex();
  readonly compounds = new AreaIndex();

  async load(db: Kysely<Database>): Promise<void> {
    this.grids.load((await store.allGrids(db)).flatMap((g) => areaEntry(g.id, g.geometry)));
    this.compounds.load((await store.allCompounds(db)).flatMap((c) => areaEntry(c.id, c.geometry)));
  }

  /** The grid cell and the compound a point lies in (the smallest, where several overlap). */
  locate(lng: number, lat: number): { gridId: string | null; compoundId: string | null } {
    return { gridId: this.grids.locate(lng, lat)[0] ?? null, compoundId: this.compounds.locate(lng, lat)[0] ?? null };
  }
}

/** Parses stored GeoJSON into an index entry; nothing for a point or a missing geometry. */
export function areaEntry(id: string, geometry: string | null): { id: string; area: Area }[] {
  if (!geometry) return [];
  const parsed = areaSchema.safeParse(JSON.parse(geometry));
  return parsed.success ? [{ id, area: parsed.data as Area }] : [];
}
