import type { DemoPolygon } from './plan.ts';

/**
 * Geometry of the demo district, laid out in a local metric frame (x east, y north, metres) centred
 * on 杉板桥社区 and projected to WGS84 with an equirectangular approximation — exact enough at the
 * scale of a few kilometres. Also the seeded randomness the layout draws from (never Math.random),
 * and the street-block layout of a community.
 */

/** [x0, y0, x1, y1] in metres of the local frame: south-west and north-east corners. */
export type Rect = readonly [number, number, number, number];

/** Centre of the local frame: 杉板桥 / 东郊记忆, east Chengdu. */
export const frameOrigin: readonly [number, number] = [104.115, 30.67];

/** Mean Earth radius (IUGG), metres. */
export const earthRadius = 6_371_008.8;

const metresPerDegreeLat = (earthRadius * Math.PI) / 180;
const metresPerDegreeLng = metresPerDegreeLat * Math.cos((frameOrigin[1] * Math.PI) / 180);

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** The WGS84 [lng, lat] of a point of the local frame, to 6 decimals (about 0.1 m). */
export function toLngLat(x: number, y: number): [number, number] {
  return [round6(frameOrigin[0] + x / metresPerDegreeLng), round6(frameOrigin[1] + y / metresPerDegreeLat)];
}

/** A rectangle as a GeoJSON polygon: closed ring, counter-clockwise (RFC 7946 §3.1.6). */
export function rectPolygon([x0, y0, x1, y1]: Rect): DemoPolygon {
  const ring = [toLngLat(x0, y0), toLngLat(x1, y0), toLngLat(x1, y1), toLngLat(x0, y1), toLngLat(x0, y0)];
  return { type: 'Polygon', coordinates: [ring] };
}

/** The centre of a rectangle, in WGS84. */
export function rectCentre([x0, y0, x1, y1]: Rect): [number, number] {
  return toLngLat((x0 + x1) / 2, (y0 + y1) / 2);
}

/** Area of a rectangle, square metres. */
export function rectArea([x0, y0, x1, y1]: Rect): number {
  return Math.round((x1 - x0) * (y1 - y0));
}

/** The rectangle shrunk by `west`, `south`, `east`, `north` metres on each side. */
export function inset([x0, y0, x1, y1]: Rect, west: number, south = west, east = west, north = west): Rect {
  return [x0 + west, y0 + south, x1 - east, y1 - north];
}

/** The smallest rectangle holding all of `rects`, grown by `margin` metres. */
export function bounds(rects: readonly Rect[], margin = 0): Rect {
  const xs0 = Math.min(...rects.map((r) => r[0]));
  const ys0 = Math.min(...rects.map((r) => r[1]));
  const xs1 = Math.max(...rects.map((r) => r[2]));
  const ys1 = Math.max(...rects.map((r) => r[3]));
  return [xs0 - margin, ys0 - margin, xs1 + margin, ys1 + margin];
}

/**
 * Cuts the segment [from, to] into `weights.length` parts proportional to the weights; returns
 * the `weights.length + 1` boundaries, `from` and `to` included.
 */
export function cut(from: number, to: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = [from];
  let acc = 0;
  for (const w of weights.slice(0, -1)) {
    acc += w;
    out.push(from + ((to - from) * acc) / total);
  }
  out.push(to);
  return out;
}

/** A seeded source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A whole number in [min, max]. */
export const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
/** One element of `xs`. */
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
/** `n` weights of 1 ± 20 %. */
export const jitterWeights = (rng: Rng, n: number) => Array.from({ length: n }, () => 0.8 + 0.4 * rng());

/** Shuffles `xs` in place (Fisher–Yates) and returns it. */
export function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** `total` split into `parts` near-equal whole shares (the remainder goes to random parts). */
export function shares(rng: Rng, total: number, parts: number): number[] {
  const out = Array.from({ length: parts }, () => Math.floor(total / parts));
  const order = shuffle(rng, [...out.keys()]);
  for (let i = 0; i < total % parts; i++) out[order[i]!]! += 1;
  return out;
}

/** A street block of a community and the index of the grid cell it lies in. */
export type Block = { rect: Rect; grid: number };

/**
 * Cuts a community into a `cols` × `rows` array of street blocks (row-major, north first) and
 * groups them into grid cells: `rowGroups` bands north→south, each cut west→east, so grid cells
 * partition the community, their edges run along street centre lines, and the order of the list
 * is the 网格 numbering (west→east, north→south).
 */
export function layoutBlocks(rng: Rng, rect: Rect, cols: number, rows: number, rowGroups: number, gridCount: number) {
  const xs = cut(rect[0], rect[2], jitterWeights(rng, cols));
  const ys = cut(rect[3], rect[1], jitterWeights(rng, rows));
  const blockRect = (c0: number, r0: number, c1: number, r1: number): Rect => [xs[c0]!, ys[r1]!, xs[c1]!, ys[r0]!];
  const gridOf: number[] = [];
  const grids: Rect[] = [];
  const perBand = shares(rng, Math.min(gridCount, rowGroups * cols), rowGroups);
  let r0 = 0;
  for (const [band, height] of shares(rng, rows, rowGroups).entries()) {
    let c0 = 0;
    for (const width of shares(rng, cols, perBand[band]!)) {
      for (let r = r0; r < r0 + height; r++) for (let c = c0; c < c0 + width; c++) gridOf[r * cols + c] = grids.length;
      grids.push(blockRect(c0, r0, c0 + width, r0 + height));
      c0 += width;
    }
    r0 += height;
  }
  const blocks: Block[] = gridOf.map((grid, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    return { rect: blockRect(c, r, c + 1, r + 1), grid };
  });
  return { blocks, grids };
}

/** Picks `count` blocks to keep free of compounds, never the last compound block of a grid. */
export function reserveBlocks(rng: Rng, blocks: readonly Block[], gridCount: number, count: number): number[] {
  const reserved: number[] = [];
  for (let k = 0; k < count; k++) {
    const free = (g: number) => [...blocks.keys()].filter((i) => blocks[i]!.grid === g && !reserved.includes(i));
    let best = 0;
    for (let g = 1; g < gridCount; g++) if (free(g).length > free(best).length) best = g;
    reserved.push(pick(rng, free(best)));
  }
  return reserved;
}
