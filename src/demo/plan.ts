import type { Role } from '../kernel/auth/roles.ts';

/** GeoJSON geometry as the demo writes it (WGS84 longitude/latitude). */
export type DemoPolygon = { type: 'Polygon'; coordinates: [number, number][][] };

/** A place of the demo district; `parentCode` names its parent (absent for the district). */
export type DemoPlace = {
  code: string;
  kind: 'district' | 'subdistrict' | 'community' | 'compound' | 'building' | 'facility';
  name: string;
  parentCode: string | null;
  /** Polygon for district … building; facilities have only a point. */
  geometry: DemoPolygon | null;
  /** Representative point [lng, lat] (centroid for polygons). */
  point: [number, number];
  /** Aggregate facts: population, households, buildings, area_m2, facility type … (no personal records). */
  attributes: Record<string, string | number | boolean>;
};

/** A grid cell (网格) of a community, with the usernames of its grid worker and grid head. */
export type DemoGrid = {
  code: string;
  name: string;
  communityCode: string;
  geometry: DemoPolygon;
  workerUsername: string;
  headUsername: string;
};

export type DemoDevice = {
  code: string;
  name: string;
  kind: string;
  placeCode: string;
  point: [number, number];
  attributes: Record<string, string | number | boolean>;
};

/** A staff account of the demo; `scopeCode` is a place code, `gridCode` a grid code. */
export type DemoUser = {
  username: string;
  displayName: string;
  role: Role;
  phone: string;
  scopeCode: string | null;
  gridCode: string | null;
};

/** Everything the demo loader writes, in an order that respects parents. */
export type DemoPlan = {
  places: DemoPlace[];
  grids: DemoGrid[];
  devices: DemoDevice[];
  users: DemoUser[];
};
