import type { Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { polygonProblem } from './validity.ts';

const square: Position[] = [
  [104.1, 30.66],
  [104.12, 30.66],
  [104.12, 30.68],
  [104.1, 30.68],
  [104.1, 30.66],
];

describe('polygon validity', () => {
  it('accepts a plain ring, a ring with a hole inside, and a ring touching itself at a vertex', () => {
    expect(polygonProblem([square])).toBeUndefined();
    const hole: Position[] = [
      [104.105, 30.665],
      [104.106, 30.665],
      [104.106, 30.666],
      [104.105, 30.665],
    ];
    expect(polygonProblem([square, hole])).toBeUndefined();
    // Two lobes meeting at one vertex (as GIS exports draw them).
    const lobes: Position[] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 2],
      [1, 1],
      [0, 1],
      [0, 0],
    ];
    expect(polygonProblem([lobes])).toBeUndefined();
  });

  it('refuses a bow tie, with where it crosses', () => {
    const bowTie: Position[] = [
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 2],
      [0, 0],
    ];
    expect(polygonProblem([bowTie])).toMatch(/crosses itself near \[1\.000000, 1\.000000\]/);
  });

  it('refuses a spike that runs back along itself, a ring without area, a hole outside, a hole crossing the shell', () => {
    const spike: Position[] = [
      [0, 0],
      [2, 0],
      [2, 2],
      [2, 3],
      [2, 1],
      [0, 2],
      [0, 0],
    ];
    expect(polygonProblem([spike])).toMatch(/crosses itself/);
    expect(
      polygonProblem([
        [
          [0, 0],
          [1, 0],
          [2, 0],
          [0, 0],
        ],
      ]),
    ).toMatch(/encloses no area/);
    const outside: Position[] = [
      [5, 5],
      [6, 5],
      [6, 6],
      [5, 5],
    ];
    expect(polygonProblem([square, outside])).toMatch(/hole 1 lies outside/);
    const crossing: Position[] = [
      [104.11, 30.67],
      [104.13, 30.67],
      [104.13, 30.675],
      [104.11, 30.67],
    ];
    expect(polygonProblem([square, crossing])).toMatch(/crosses itself/);
  });

  it('checks a 50,000-vertex boundary (segments in an R-tree, not every pair)', () => {
    const n = 50_000;
    const circle: Position[] = Array.from({ length: n }, (_, i) => [
      104 + 0.1 * Math.cos((2 * Math.PI * i) / n),
      30 + 0.1 * Math.sin((2 * Math.PI * i) / n),
    ]);
    circle.push(circle[0] as Position);
    expect(polygonProblem([circle])).toBeUndefined();
    // Swap two neighbouring vertices far apart in the list: the boundary now crosses itself.
    const kinked = circle.map((p) => [...p]);
    [kinked[100], kinked[101]] = [kinked[101] as Position, kinked[100] as Position];
    expect(polygonProblem([kinked])).toMatch(/crosses itself/);
  });
});
