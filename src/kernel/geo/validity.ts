import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Position } from 'geojson';
import RBush from 'rbush';

/**
 * Whether a polygon drawn or imported for a place or a grid is one a map and the spatial index
 * can trust: every ring encloses some area, every hole lies inside its shell, and no boundary
 * crosses itself or another ring of the polygon (a "bow tie" would make "which grid is this point
 * in?" depend on the algorithm). Touching at a vertex is tolerated, as GIS exports often do.
 * Segments are indexed in an R-tree, so a district boundary of tens of thousands of vertices is
 * checked in a fraction of a second, not in the square of its size.
 */
export function polygonProblem(rings: readonly Position[][]): string | undefined {
  const crossing = firstCrossing(rings);
  if (crossing) return `the boundary crosses itself near [${crossing.map((v) => v.toFixed(6)).join(', ')}]`;
  for (const [r, ring] of rings.entries()) if (Math.abs(signedArea(ring)) < 1e-14) return `ring ${r} encloses no area`;
  const shell = rings[0] ?? [];
  for (let r = 1; r < rings.length; r++) {
    const first = rings[r]?.[0];
    if (first && !booleanPointInPolygon(first, { type: 'Polygon', coordinates: [shell] }))
      return `hole ${r} lies outside the outer ring`;
  }
  return undefined;
}

/** Twice the signed area of a closed ring (shoelace), in square degrees. */
function signedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i] as [number, number];
    const [x2, y2] = ring[i + 1] as [number, number];
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

type Point = [number, number];
type Segment = {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  a: Point;
  b: Point;
  ring: number;
  at: number;
  size: number;
};

/** The first point where two segments that are not neighbours on one ring cross or overlap. */
function firstCrossing(rings: readonly Position[][]): Point | undefined {
  const segments: Segment[] = [];
  for (const [r, ring] of rings.entries()) {
    const size = ring.length - 1;
    for (let i = 0; i < size; i++) {
      const a = ring[i] as Point;
      const b = ring[i + 1] as Point;
      segments.push({
        minX: Math.min(a[0], b[0]),
        minY: Math.min(a[1], b[1]),
        maxX: Math.max(a[0], b[0]),
        maxY: Math.max(a[1], b[1]),
        a,
        b,
        ring: r,
        at: i,
        size,
      });
    }
  }
  const tree = new RBush<Segment>();
  tree.load(segments);
  for (const s of segments) {
    for (const o of tree.search(s)) {
      if (o.ring < s.ring || (o.ring === s.ring && o.at <= s.at)) continue; // each pair once, not itself
      if (o.ring === s.ring && (o.at === s.at + 1 || (s.at === 0 && o.at === s.size - 1))) continue; // neighbours
      const hit = crossingOf(s.a, s.b, o.a, o.b);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Which side of p→q the point r lies on: -1, 0 (on the line) or 1. */
function orientation(p: Point, q: Point, r: Point): number {
  return Math.sign((q[1] - p[1]) * (r[0] - q[0]) - (q[0] - p[0]) * (r[1] - q[1]));
}

/** Where segments ab and cd cross at a point inside both, or overlap along a stretch; undefined when they at most touch. */
function crossingOf(a: Point, b: Point, c: Point, d: Point): Point | undefined {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 * o2 < 0 && o3 * o4 < 0) {
    // A proper crossing: the intersection point, for the message.
    const t =
      ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) /
      ((b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0]));
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  }
  if (o1 === 0 && o2 === 0) {
    // Collinear: an overlap longer than a point.
    const axis = a[0] !== b[0] ? 0 : 1;
    const lo = Math.max(Math.min(a[axis], b[axis]), Math.min(c[axis], d[axis]));
    const hi = Math.min(Math.max(a[axis], b[axis]), Math.max(c[axis], d[axis]));
    if (hi > lo) return axis === 0 ? [lo, a[1] + ((b[1] - a[1]) * (lo - a[0])) / (b[0] - a[0] || 1)] : [c[0], lo];
  }
  return undefined;
}
