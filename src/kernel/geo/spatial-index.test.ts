import { describe, expect, it } from 'vitest';
import { bboxOf, centroidOf, parseBBox } from './geometry.ts';
import { AreaIndex } from './spatial-index.ts';

const square = (x: number, y: number, size: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x, y],
      [x + size, y],
      [x + size, y + size],
      [x, y + size],
      [x, y],
    ],
  ],
});
/** An L-shaped polygon: its bounding box contains points the polygon does not. */
const ell = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [2, 0],
      [2, 1],
      [1, 1],
      [1, 2],
      [0, 2],
      [0, 0],
    ],
  ],
};

describe('AreaIndex', () => {
  it('answers point → area exactly, not by bounding box', () => {
    const index = new AreaIndex();
    index.load([{ id: 'ell', area: ell }]);
    expect(index.locate(0.5, 1.5)).toEqual(['ell']);
    expect(index.locate(1.5, 1.5)).toEqual([]);
    expect(index.locate(2, 0.5)).toEqual(['ell']);
  });

  it('returns the smallest area first where areas nest, and follows upserts and removals', () => {
    const index = new AreaIndex();
    index.load([
      { id: 'big', area: square(0, 0, 10) },
      { id: 'small', area: square(1, 1, 2) },
    ]);
    expect(index.locate(2, 2)).toEqual(['small', 'big']);
    index.upsert('small', square(5, 5, 2));
    expect(index.locate(2, 2)).toEqual(['big']);
    expect(index.locate(6, 6)).toEqual(['small', 'big']);
    index.remove('big');
    expect(index.locate(2, 2)).toEqual([]);
    expect(index.size).toBe(1);
  });

  it('handles holes and multipolygons', () => {
    const index = new AreaIndex();
    const withHole = {
      type: 'Polygon' as const,
      coordinates: [square(0, 0, 10).coordinates[0]!, square(4, 4, 2).coordinates[0]!],
    };
    const multi = {
      type: 'MultiPolygon' as const,
      coordinates: [square(20, 0, 1).coordinates, square(30, 0, 1).coordinates],
    };
    index.load([
      { id: 'donut', area: withHole },
      { id: 'islands', area: multi },
    ]);
    expect(index.locate(5, 5)).toEqual([]);
    expect(index.locate(1, 1)).toEqual(['donut']);
    expect(index.locate(30.5, 0.5)).toEqual(['islands']);
    expect(index.locate(25, 0.5)).toEqual([]);
  });

  it('finds the one cell among 10,000 that holds a point', () => {
    const index = new AreaIndex();
    const cells = [];
    for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) cells.push({ id: `${i}-${j}`, area: square(i, j, 1) });
    index.load(cells);
    expect(index.locate(42.5, 17.5)).toEqual(['42-17']);
  });
});

describe('geometry helpers', () => {
  it('computes bounding boxes and area centroids', () => {
    expect(bboxOf(ell)).toEqual({ minX: 0, minY: 0, maxX: 2, maxY: 2 });
    expect(centroidOf(square(104, 30, 0.01))).toEqual([104.005, 30.005]);
    const [cx, cy] = centroidOf(ell);
    expect(cx).toBeCloseTo(0.833333, 5);
    expect(cy).toBeCloseTo(0.833333, 5);
  });

  it('parses a bbox parameter and refuses malformed ones', () => {
    expect(parseBBox('104.1,30.6,104.2,30.7')).toEqual({ minX: 104.1, minY: 30.6, maxX: 104.2, maxY: 30.7 });
    expect(parseBBox('1,2,3')).toBeUndefined();
    expect(parseBBox('3,2,1,4')).toBeUndefined();
    expect(parseBBox('a,b,c,d')).toBeUndefined();
  });
});
