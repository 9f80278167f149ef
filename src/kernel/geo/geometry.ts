import type { MultiPolygon, Polygon, Position } from 'geojson';
import { z } from 'zod';
import { polygonProblem } from './validity.ts';

/** A longitude/latitude position (WGS84). */
const position = z
  .array(z.number())
  .min(2)
  .max(3)
  .refine(([lng, lat]) => lng !== undefined && lat !== undefined && Math.abs(lng) <= 180 && Math.abs(lat) <= 90, {
    message: 'a position is [longitude, latitude] within ±180, ±90',
  });

const ring = z
  .array(position)
  .min(4, 'a linear ring needs at least 4 positions')
  .refine((r) => r[0]?.[0] === r.at(-1)?.[0] && r[0]?.[1] === r.at(-1)?.[1], {
    message: 'a linear ring must be closed (first position equals last)',
  });

export const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) });
export const multiPolygonSchema = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(ring).min(1)).min(1),
});
export const pointSchema = z.object({ type: z.literal('Point'), coordinates: position });

/** Area geometries a place or grid may have. */
export const areaSchema = z.union([polygonSchema, multiPolygonSchema]);
export type Area = Polygon | MultiPolygon;

/** Any geometry a place may have. */
export const placeGeometrySchema = z.union([polygonSchema, multiPolygonSchema, pointSchema]);

/** The most positions one drawn or imported shape may have (a detailed district boundary has tens of thousands). */
const MAX_POSITIONS = 100_000;

/** Refuses polygons that cross themselves, enclose nothing or have holes outside (validity.ts). */
function checkPolygons(geometry: { type: string; coordinates: unknown }, ctx: z.RefinementCtx): void {
  const polygons =
    geometry.type === 'Polygon'
      ? [geometry.coordinates as Position[][]]
      : geometry.type === 'MultiPolygon'
        ? (geometry.coordinates as Position[][][])
        : [];
  const positions = polygons.reduce((n, rings) => n + rings.reduce((m, ring) => m + ring.length, 0), 0);
  if (positions > MAX_POSITIONS) {
    ctx.addIssue({ code: 'custom', path: ['coordinates'], message: `at most ${MAX_POSITIONS} positions in one shape` });
    return;
  }
  for (const [i, polygon] of polygons.entries()) {
    const problem = polygonProblem(polygon);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: geometry.type === 'MultiPolygon' ? ['coordinates', i] : ['coordinates'],
        message: `not a valid polygon: ${problem}`,
      });
  }
}

/**
 * What users draw or import (places, grids): the shapes above, and valid polygons. Stored shapes
 * are read back with the plain schemas, so a shape stored before this check still loads.
 */
export const drawnAreaSchema = areaSchema.superRefine(checkPolygons);
export const drawnPlaceGeometrySchema = placeGeometrySchema.superRefine(checkPolygons);

export type BBox = { minX: number; minY: number; maxX: number; maxY: number };

function rings(area: Area): Position[][] {
  return area.type === 'Polygon' ? area.coordinates : area.coordinates.flat();
}

/** The bounding box of an area. */
export function bboxOf(area: Area): BBox {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const r of rings(area)) {
    for (const [x = 0, y = 0] of r) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { minX, minY, maxX, maxY };
}

/**
 * A representative point of an area: the area-weighted centroid of its largest polygon's outer
 * ring (good enough for the convex-ish shapes of compounds and grids).
 */
export function centroidOf(area: Area): [number, number] {
  const polygons = area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
  let best: [number, number] = [0, 0];
  let bestArea = -1;
  for (const polygon of polygons) {
    const outer = polygon[0] ?? [];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < outer.length - 1; i++) {
      const [x0 = 0, y0 = 0] = outer[i] ?? [];
      const [x1 = 0, y1 = 0] = outer[i + 1] ?? [];
      const cross = x0 * y1 - x1 * y0;
      a += cross;
      cx += (x0 + x1) * cross;
      cy += (y0 + y1) * cross;
    }
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = a === 0 ? [outer[0]?.[0] ?? 0, outer[0]?.[1] ?? 0] : [cx / (3 * a), cy / (3 * a)];
    }
  }
  return [round6(best[0]), round6(best[1])];
}

/** Rounds a coordinate to 6 decimals (about 0.1 m). */
export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Parses `minLng,minLat,maxLng,maxLat`; undefined when malformed. */
export function parseBBox(text: string): BBox | undefined {
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined;
  const [minX, minY, maxX, maxY] = parts as [number, number, number, number];
  if (minX > maxX || minY > maxY) return undefined;
  return { minX, minY, maxX, maxY };
}
