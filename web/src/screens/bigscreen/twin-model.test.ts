import { describe, expect, it } from 'vitest';
import type { DeviceView, GridView, PlaceView } from '../../api/types.ts';
import { closedLoopRule } from './compound-state.ts';
import { twinModelBuilder } from './twin-model.ts';

const square = (x: number, y: number, d = 0.01) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});

const place = (
  id: string,
  kind: PlaceView['kind'],
  parentId: string | null,
  extra: Partial<PlaceView> = {},
): PlaceView => ({
  id,
  code: id,
  kind,
  kindLabel: kind,
  name: `名称${id}`,
  parentId,
  gridId: null,
  geometry: null,
  point: null,
  attributes: {},
  createdAt: '',
  updatedAt: '',
  ...extra,
});

const device = (id: string, placeId: string, status: DeviceView['status'], kind = 'smoke'): DeviceView => ({
  id,
  code: id,
  name: id,
  kind,
  kindLabel: kind === 'smoke' ? '烟感' : kind,
  placeId,
  gridId: null,
  location: [104.1, 30.6],
  attributes: {},
  status,
  lastSeenAt: null,
  createdAt: '',
  updatedAt: '',
});

const places: PlaceView[] = [
  place('d', 'district', null),
  place('s', 'subdistrict', 'd'),
  place('c1', 'community', 's', { name: '甲社区', geometry: square(104, 30.5, 0.1) }),
  place('c2', 'community', 's', { name: '乙社区' }),
  place('k1', 'compound', 'c1', { geometry: square(104.01, 30.51), attributes: { population: 1200, households: 500 } }),
  place('k2', 'compound', 'c1', { geometry: square(104.05, 30.55), attributes: { population: 800, type: '院落' } }),
  place('k3', 'compound', 'c2', { attributes: { population: 300 } }),
  place('b1', 'building', 'k1'),
  place('f1', 'facility', 'b1'),
  place('f2', 'facility', 'c2'),
];
const grids: GridView[] = [
  {
    id: 'g1',
    code: '510108001001001',
    name: '网格1',
    communityId: 'c1',
    geometry: square(104, 30.5, 0.2),
    worker: null,
    head: null,
    attributes: {},
    createdAt: '',
    updatedAt: '',
  },
];
const devices = [
  device('a', 'k1', 'online'),
  device('b', 'b1', 'offline', 'gas'),
  device('c', 'f1', 'unknown'),
  device('d', 'k2', 'online', 'gas'),
  device('e', 'f2', 'unknown', 'ai_camera'),
];

describe('twin model of the big screen', () => {
  const model = twinModelBuilder({ places, grids, devices });

  it('counts what the tiles show', () => {
    expect(model.kpis).toEqual({
      devices: 5,
      online: 2,
      offline: 1,
      unknown: 2,
      onlineShare: 0.4,
      compounds: 3,
      residents: 2300,
      households: 500,
      grids: 1,
      communities: 2,
    });
  });

  it('gives a compound the devices of its buildings and facilities, and none of its community’s', () => {
    expect(model.devicesByCompound.get('k1')?.map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(model.devicesByCompound.get('k2')?.map((d) => d.id)).toEqual(['d']);
    expect(model.devicesByCompound.has('k3')).toBe(false);
    expect(model.compounds.get('k1')?.facts).toEqual({ devices: 3, online: 1, offline: 1, unknown: 1 });
    expect(model.compounds.get('k1')?.state).toBe('alert'); // 1 of 2 reporting devices offline
    expect(model.compounds.get('k3')?.state).toBe('unknown');
    expect(model.compounds.get('k2')?.type).toBe('院落');
  });

  it('sums residents per community and devices per kind, largest first', () => {
    expect(model.residentsByCommunity).toEqual([
      { name: '甲社区', residents: 2000 },
      { name: '乙社区', residents: 300 },
    ]);
    expect(model.devicesByKind).toEqual([
      { kind: 'gas', label: 'gas', count: 2 },
      { kind: 'smoke', label: '烟感', count: 2 },
      { kind: 'ai_camera', label: 'ai_camera', count: 1 },
    ]);
  });

  it('makes the map’s layers: compounds with a state, grids, communities, devices as points', () => {
    expect(model.layers.compounds.features.map((f) => f.properties)).toEqual([
      { id: 'k1', name: '名称k1', state: 'alert' },
      { id: 'k2', name: '名称k2', state: 'normal' },
    ]);
    expect(model.layers.grids.features).toHaveLength(1);
    expect(model.layers.communities.features).toHaveLength(1);
    expect(model.layers.devices.features).toHaveLength(5);
    expect(model.layers.devices.features[1]?.properties).toEqual({ id: 'b', kind: 'gas', status: 'offline' });
    expect(model.bounds).toEqual([104, 30.5, 104.2, 30.7]);
  });

  it('colours by another rule when one is given', () => {
    const m = twinModelBuilder({ places, grids, devices }, () => 'attention');
    expect([...m.compounds.values()].every((c) => c.state === 'attention')).toBe(true);
    expect(twinModelBuilder({ places, grids, devices }, closedLoopRule).compounds.get('k2')?.state).toBe('normal');
  });

  it("adds the closed loop's counts to each compound's facts when they are known", () => {
    const loop = { cases: [{ placeId: 'k2', open: 1, overdue: 1 }], alarmPlaceIds: [] };
    const k2 = twinModelBuilder({ places, grids, devices }, closedLoopRule, loop).compounds.get('k2');
    expect(k2?.facts).toMatchObject({ openAlarms: 0, openCases: 1, overdueCases: 1 });
    expect(k2?.state).toBe('alert');
    // Unknown loop counts leave the facts as the devices give them.
    expect(
      twinModelBuilder({ places, grids, devices }, closedLoopRule, null).compounds.get('k2')?.facts.openCases,
    ).toBe(undefined);
  });

  it('has no bounds when nothing has a geometry', () => {
    expect(twinModelBuilder({ places: [place('x', 'compound', null)], grids: [], devices: [] }).bounds).toBeNull();
  });
});
