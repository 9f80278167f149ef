import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables.ts';
import { type Area, areaSchema } from '../kernel/geo/geometry.ts';
import { AreaIndex } from '../kernel/geo/spatial-index.ts';
import * as store from './store.ts';

/**
 * The twin's spatial index: point → grid cell and point → compound. Loaded at start and kept
 * current by the twin's use cases after each commit; `onChange` hears those changes so that other
 * nodes can reload (`shareTwinIndex`).
 */
export class TwinIndex {
  readonly grids = new AreaIndex();
  readonly compounds = new AreaIndex();
  private readonly listeners: (() => void)[] = [];
  /** Changes made on this node since start: a reload that began before one must run again. */
  changes = 0;

  async load(db: Kysely<Database>): Promise<void> {
    const grids = (await store.allGrids(db)).flatMap((g) => areaEntry(g.id, g.geometry));
    const compounds = (await store.allCompounds(db)).flatMap((c) => areaEntry(c.id, c.geometry));
    this.grids.load(grids);
    this.compounds.load(compounds);
  }

  /** Hears every change made through this node (after its commit). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  upsertGrid(id: string, area: Area): void {
    this.grids.upsert(id, area);
    this.changed();
  }

  removeGrid(id: string): void {
    this.grids.remove(id);
    this.changed();
  }

  /** A compound's area; without a polygon (a point, or none) it leaves the index. */
  upsertCompound(id: string, geometry: string | null): void {
    const [entry] = areaEntry(id, geometry);
    if (entry) this.compounds.upsert(entry.id, entry.area);
    else this.compounds.remove(id);
    this.changed();
  }

  removeCompound(id: string): void {
    this.compounds.remove(id);
    this.changed();
  }

  private changed(): void {
    this.changes += 1;
    for (const listener of this.listeners) listener();
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
