import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { describe, expect, it, vi } from 'vitest';
import { deviceKinds } from '../twin/schema.ts';
import { demoDistrictCode, generateDemoDistrict, modelCommunityCode } from './district.ts';
import type { DemoPlace, DemoPolygon } from './plan.ts';

const plan = generateDemoDistrict();
const placeByCode = new Map(plan.places.map((p) => [p.code, p]));
const ofKind = (kind: DemoPlace['kind']) => plan.places.filter((p) => p.kind === kind);
const compoundsOf = (community: string) => ofKind('compound').filter((c) => c.parentCode === community);
const gridsOf = (community: string) => plan.grids.filter((g) => g.communityCode === community);
const ring = (polygon: DemoPolygon) => polygon.coordinates[0]!;

/** Signed area in m² (positive when counter-clockwise), equirectangular around the ring's mean latitude. */
function signedArea(polygon: DemoPolygon): number {
  const points = ring(polygon);
  const lat0 = (points.reduce((a, [, lat]) => a + lat, 0) / points.length) * (Math.PI / 180);
  const metres = (deg: number) => (deg * Math.PI * 6_371_008.8) / 180;
  const xy = points.map(([lng, lat]) => [metres(lng) * Math.cos(lat0), metres(lat)] as const);
  let twice = 0;
  for (let i = 0; i + 1 < xy.length; i++) twice += xy[i]![0] * xy[i + 1]![1] - xy[i + 1]![0] * xy[i]![1];
  return twice / 2;
}

/** [minLng, minLat, maxLng, maxLat] of a polygon. */
function box(polygon: DemoPolygon): [number, number, number, number] {
  const lngs = ring(polygon).map(([lng]) => lng);
  const lats = ring(polygon).map(([, lat]) => lat);
  return [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)];
}

const centroid = (polygon: DemoPolygon): [number, number] => {
  const [x0, y0, x1, y1] = box(polygon); // every demo polygon is a rectangle
  return [(x0 + x1) / 2, (y0 + y1) / 2];
};

describe('generateDemoDistrict', () => {
  it('is deterministic for a seed and never draws on Math.random', () => {
    const random = vi.spyOn(Math, 'random');
    expect(generateDemoDistrict(20261126)).toEqual(plan);
    expect(generateDemoDistrict(7)).toEqual(generateDemoDistrict(7));
    expect(generateDemoDistrict(7)).not.toEqual(plan);
    expect(random).not.toHaveBeenCalled();
    random.mockRestore();
  });

  it('models 杉板桥社区: 22 compounds on about 1.2 km², over 100,000 residents', () => {
    const community = placeByCode.get(modelCommunityCode)!;
    expect(community.name).toBe('杉板桥社区');
    expect(placeByCode.get(community.parentCode!)!.name).toBe('跳蹬河街道');
    const compounds = compoundsOf(modelCommunityCode);
    expect(compounds).toHaveLength(22);
    expect(compounds.map((c) => c.name)).toContain('东郊记忆小区');
    const km2 = signedArea(community.geometry!) / 1e6;
    expect(km2).toBeGreaterThan(1.0);
    expect(km2).toBeLessThan(1.4);
    const population = compounds.reduce((a, c) => a + (c.attributes.population as number), 0);
    expect(population).toBeGreaterThan(100_000);
    expect(community.attributes.population).toBe(population);
    expect(placeByCode.get('510108004001')!.name).toBe('下涧槽社区');
  });

  it('gives the other communities 5–10 smaller compounds', () => {
    const others = ofKind('community').filter((c) => c.code !== modelCommunityCode);
    expect(others.length).toBeGreaterThanOrEqual(4);
    for (const community of others) {
      const compounds = compoundsOf(community.code);
      expect(compounds.length).toBeGreaterThanOrEqual(5);
      expect(compounds.length).toBeLessThanOrEqual(10);
      expect(community.attributes.population).toBeLessThan(50_000);
    }
  });

  it('lists places parents first, with codes that nest', () => {
    const seen = new Set<string>();
    const patterns: Record<DemoPlace['kind'], RegExp> = {
      district: /^510108$/,
      subdistrict: /^\d{9}$/,
      community: /^\d{12}$/,
      compound: /^\d{12}C\d{2}$/,
      building: /^\d{12}C\d{2}B\d{2}$/,
      facility: /^\d{12}F\d{2}$/,
    };
    expect(plan.places[0]).toMatchObject({ code: demoDistrictCode, kind: 'district', parentCode: null });
    for (const place of plan.places) {
      expect(place.code).toMatch(patterns[place.kind]);
      if (place.kind !== 'district') expect(seen.has(place.parentCode!), `${place.code} parent`).toBe(true);
      const prefix = place.kind === 'facility' ? place.code.slice(0, 12) : place.parentCode;
      if (prefix) expect(place.code.startsWith(prefix)).toBe(true);
      seen.add(place.code);
    }
  });

  it('keeps every code and username unique', () => {
    const codes = [...plan.places, ...plan.grids, ...plan.devices].map((x) => x.code);
    expect(new Set(codes).size).toBe(codes.length);
    const usernames = plan.users.map((u) => u.username);
    expect(new Set(usernames).size).toBe(usernames.length);
  });

  it('writes valid polygons: closed, counter-clockwise, 6 decimals, inside their parent', () => {
    const polygons = [...plan.places.filter((p) => p.geometry), ...plan.grids];
    for (const { code, geometry } of polygons) {
      const points = ring(geometry!);
      expect(points[0], code).toEqual(points.at(-1));
      expect(signedArea(geometry!), code).toBeGreaterThan(0);
      for (const [lng, lat] of points)
        expect(Math.round(lng * 1e6) / 1e6 === lng && Math.round(lat * 1e6) / 1e6 === lat).toBe(true);
    }
    for (const place of plan.places.filter((p) => p.geometry && p.parentCode)) {
      const parent = placeByCode.get(place.parentCode!)!;
      for (const point of ring(place.geometry!))
        expect(booleanPointInPolygon(point, parent.geometry!), place.code).toBe(true);
    }
    const [lng, lat] = placeByCode.get(modelCommunityCode)!.point;
    expect(Math.abs(lng - 104.115)).toBeLessThan(0.01);
    expect(Math.abs(lat - 30.67)).toBeLessThan(0.01);
  });

  it('separates the compounds of a community by streets', () => {
    for (const community of ofKind('community')) {
      const boxes = compoundsOf(community.code).map((c) => box(c.geometry!));
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) expect(a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1]).toBe(true);
      }
    }
  });

  it('partitions each community into grids with 15-digit codes numbered west→east, north→south', () => {
    for (const community of ofKind('community')) {
      const grids = gridsOf(community.code);
      const [min, max] = community.code === modelCommunityCode ? [8, 12] : [3, 5];
      expect(grids.length).toBeGreaterThanOrEqual(min);
      expect(grids.length).toBeLessThanOrEqual(max);
      const total = grids.reduce((a, g) => a + signedArea(g.geometry), 0);
      expect(Math.abs(total / signedArea(community.geometry!) - 1)).toBeLessThan(1e-3);
      for (const [i, grid] of grids.entries()) {
        expect(grid.code).toMatch(/^\d{15}$/);
        expect(grid.code).toBe(`${community.code}${String(i + 1).padStart(3, '0')}`);
        expect(grid.name).toBe(`${community.name}第${i + 1}网格`);
        for (const point of ring(grid.geometry)) expect(booleanPointInPolygon(point, community.geometry!)).toBe(true);
      }
      const order = [...grids].sort(
        (a, b) => box(b.geometry)[3] - box(a.geometry)[3] || box(a.geometry)[0] - box(b.geometry)[0],
      );
      expect(order).toEqual(grids);
    }
  });

  it('puts every compound centroid in exactly one grid of its community', () => {
    for (const compound of ofKind('compound')) {
      const grids = gridsOf(compound.parentCode!);
      const holding = grids.filter((g) => booleanPointInPolygon(centroid(compound.geometry!), g.geometry));
      expect(holding, compound.code).toHaveLength(1);
      const [lng, lat] = centroid(compound.geometry!);
      expect(compound.point[0]).toBeCloseTo(lng, 5);
      expect(compound.point[1]).toBeCloseTo(lat, 5);
      expect(grids.filter((g) => booleanPointInPolygon(compound.point, g.geometry))).toEqual(holding);
    }
    for (const grid of plan.grids) {
      expect(compoundsOf(grid.communityCode).some((c) => booleanPointInPolygon(c.point, grid.geometry))).toBe(true);
    }
  });

  it('adds up households and population from buildings to the district', () => {
    for (const compound of ofKind('compound')) {
      const buildings = ofKind('building').filter((b) => b.parentCode === compound.code);
      expect(buildings).toHaveLength(compound.attributes.buildings as number);
      expect(buildings.reduce((a, b) => a + (b.attributes.population as number), 0)).toBe(
        compound.attributes.population,
      );
    }
    const communities = ofKind('community').reduce((a, c) => a + (c.attributes.population as number), 0);
    expect(plan.places[0]!.attributes.population).toBe(communities);
    expect(ofKind('building').length).toBeLessThan(600);
  });

  it('gives every community a 党群服务中心 and 杉板桥社区 its service facilities', () => {
    for (const community of ofKind('community')) {
      const types = ofKind('facility')
        .filter((f) => f.code.startsWith(community.code))
        .map((f) => f.attributes.type);
      expect(types).toContain('party_service_center');
    }
    const names = ofKind('facility').map((f) => f.name);
    for (const name of ['幼儿托育中心', '睦邻空间', '社区养老服务中心', '社区食堂', '蓉漂茶咖生活里', '养老服务站']) {
      expect(
        names.some((n) => n.includes(name)),
        name,
      ).toBe(true);
    }
    for (const facility of ofKind('facility')) {
      expect(facility.geometry).toBeNull();
      const host = placeByCode.get(facility.parentCode!)!;
      expect(['community', 'compound']).toContain(host.kind);
      expect(booleanPointInPolygon(facility.point, host.geometry!, { ignoreBoundary: true })).toBe(true);
    }
  });

  it('places several hundred devices of every kind, each inside its place', () => {
    expect(plan.devices.length).toBeGreaterThanOrEqual(400);
    expect(plan.devices.length).toBeLessThanOrEqual(900);
    expect(new Set(plan.devices.map((d) => d.kind))).toEqual(new Set(deviceKinds));
    for (const device of plan.devices) {
      expect(device.code).toMatch(/^[A-Z]{2,3}-[A-Z]{3}-\d{4}$/);
      expect(device.attributes.installedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const place = placeByCode.get(device.placeCode)!;
      if (place.kind === 'facility') expect(device.point, device.code).toEqual(place.point);
      else {
        expect(['compound', 'building']).toContain(place.kind);
        expect(booleanPointInPolygon(device.point, place.geometry!, { ignoreBoundary: true }), device.code).toBe(true);
      }
      if (device.kind === 'ai_camera') expect(device.attributes.detections).toBeTruthy();
      if (device.kind === 'cold_room') expect(['canteen', 'cafe', 'charity_shop']).toContain(place.attributes.type);
    }
    expect(plan.devices.find((d) => d.code === 'SBQ-CAM-0001')?.placeCode.startsWith(modelCommunityCode)).toBe(true);
  });

  it('staffs every grid with a worker and a head who leads 2–4 grids of the same community', () => {
    const users = new Map(plan.users.map((u) => [u.username, u]));
    for (const grid of plan.grids) {
      expect(grid.workerUsername).toBe(`wg-${grid.code}`);
      expect(users.get(grid.workerUsername)).toMatchObject({
        role: 'worker',
        scopeCode: grid.communityCode,
        gridCode: grid.code,
      });
      expect(users.get(grid.headUsername)).toMatchObject({
        role: 'leader',
        scopeCode: grid.communityCode,
        gridCode: null,
      });
      expect(grid.headUsername).toMatch(new RegExp(`^wz-${grid.communityCode}-\\d+$`));
    }
    for (const head of plan.users.filter((u) => u.role === 'leader')) {
      const led = plan.grids.filter((g) => g.headUsername === head.username).length;
      expect(led).toBeGreaterThanOrEqual(2);
      expect(led).toBeLessThanOrEqual(4);
    }
    expect(plan.users.every((u) => u.role === 'worker' || u.role === 'leader')).toBe(true);
    for (const user of plan.users) {
      expect(user.phone).toMatch(/^1[3-9]\d{9}$/);
      expect(user.displayName).toMatch(/^\p{Script=Han}{2,3}$/u);
    }
    expect(new Set(plan.users.map((u) => u.phone)).size).toBe(plan.users.length);
  });
});
