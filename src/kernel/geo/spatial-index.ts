import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import RBush from 'rbush';
import { type Area, type BBox, bboxOf } from './geometry.ts';

type Entry = BBox & { id: string; area: Area };

/**
 * Answers "which areas contain this point?" for one layer (grids, or compounds): an R-tree of
 * bounding boxes narrows the candidates, an exact point-in-polygon test decides.
 */
export class AreaIndex {
  private readonly tree = new RBush<Entry>();
  private readonly byId = new Map<string, Entry>();

  /** Replaces the whole layer (bulk-loaded, which builds a better tree than inserts). */
  load(areas: Iterable<{ id: string; area: Area }>): void {
    this.tree.clear();
    this.byId.clear();
    const entries = [...areas].map(({ id, area }) => ({ id, area, ...bboxOf(area) }));
    for (const e of entries) this.byId.set(e.id, e);
    this.tree.load(entries);
  }

  /** Adds an area, or moves it if it is already indexed. */
  upsert(id: string, area: Area): void {
    this.remove(id);
    const entry = { id, area, ...bboxOf(area) };
    this.byId.set(id, entry);
    this.tree.insert(entry);
  }

  remove(id: string): void {
    const existing = this.byId.get(id);
    if (!existing) return;
    this.tree.remove(existing);
    this.byId.delete(id);
  }

  /** Ids of the areas that contain the point (boundary included), smallest area first. */
  locate(lng: number, lat: number): string[] {
    return this.tree
      .search({ minX: lng, minY: lat, maxX: lng, maxY: lat })
      .filter((e) => booleanPointInPolygon([lng, lat], e.area))
      .sort((a, b) => (a.maxX - a.minX) * (a.maxY - a.minY) - (b.maxX - b.minX) * (b.maxY - b.minY))
      .map((e) => e.id);
  }

  get size(): number {
    return this.byId.size;
  }
}
