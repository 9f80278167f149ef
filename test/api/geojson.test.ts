import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, engineUnderTest, rect, TestApp, type TestUser } from '../helpers/test-app.ts';

describe(`GeoJSON import and export (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
  });
  afterAll(() => t.stop());

  const feature = (properties: Record<string, unknown>, geometry: unknown = null) => ({
    type: 'Feature',
    geometry,
    properties,
  });
  const importing = (features: unknown[]) =>
    t.inject({
      method: 'POST',
      url: '/api/places/import',
      headers: admin.headers,
      payload: { type: 'FeatureCollection', features },
    });
  const codes = async () =>
    (await t.inject({ method: 'GET', url: '/api/places?pageSize=500', headers: admin.headers }))
      .json()
      .items.map((p: { code: string }) => p.code);

  it('imports a community with compounds and a grid in any order, keeping extra properties as attributes', async () => {
    const res = await importing([
      feature(
        {
          kind: 'grid',
          code: '510108003009001',
          name: '新社区第1网格',
          parentCode: 'NEW-C',
          workerUsername: admin.username,
        },
        rect(104.16, 30.66, 104.17, 30.67),
      ),
      feature(
        { kind: 'compound', code: 'NEW-K1', name: '新小区', parentCode: 'NEW-C', population: 3200 },
        rect(104.161, 30.661, 104.162, 30.662),
      ),
      feature(
        { kind: 'community', code: 'NEW-C', name: '新社区', parentCode: w.street.code },
        rect(104.16, 30.66, 104.18, 30.68),
      ),
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ placesCreated: 2, placesUpdated: 0, gridsCreated: 1, gridsUpdated: 0 });
    const k1 = (
      await t.inject({
        method: 'GET',
        url: '/api/places?kind=compound&bbox=104.16,30.66,104.17,30.67',
        headers: admin.headers,
      })
    ).json().items[0];
    expect(k1.attributes).toEqual({ population: 3200 });
    expect(k1.gridId).not.toBeNull();
  });

  it('updates places whose code exists', async () => {
    const res = await importing([
      feature(
        { kind: 'compound', code: 'NEW-K1', name: '新小区（改）', parentCode: 'NEW-C' },
        rect(104.161, 30.661, 104.162, 30.662),
      ),
    ]);
    expect(res.json()).toMatchObject({ placesCreated: 0, placesUpdated: 1 });
  });

  it('rejects a bad file whole, with a pointer to each bad feature', async () => {
    const before = await codes();
    const res = await importing([
      feature({ kind: 'compound', code: 'OK-1', name: '好', parentCode: w.communityA.code }),
      feature({ kind: 'compound', code: 'BAD-1', name: '坏', parentCode: 'NO-SUCH' }),
      feature({ kind: 'building', code: 'BAD-2', name: '坏楼', parentCode: w.communityA.code }),
      feature(
        { kind: 'grid', code: '12', name: '坏网格', parentCode: w.communityA.code },
        rect(104.1, 30.66, 104.11, 30.67),
      ),
      feature({ kind: 'compound', code: 'OK-1', name: '重复', parentCode: w.communityA.code }),
    ]);
    expect(res.statusCode).toBe(400);
    const pointers = res.json().errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual([
      '/features/4/properties/code',
      '/features/1/properties/parentCode',
      '/features/2/properties/parentCode',
      '/features/3/properties/code',
    ]);
    expect(await codes()).toEqual(before);
  });

  it('rejects what is not a FeatureCollection, with a pointer', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/places/import',
      headers: admin.headers,
      payload: {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: null, properties: { kind: 'castle', code: 'X', name: 'x' } }],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].pointer).toBe('/features/0/properties/kind');
  });

  it('exports what it imports: a round trip changes nothing', async () => {
    const exported = await t.inject({ method: 'GET', url: '/api/places/export', headers: admin.headers });
    expect(exported.headers['content-type']).toContain('application/geo+json');
    const collection = exported.json();
    expect(collection.features.length).toBeGreaterThan(10);
    const again = await t.inject({
      method: 'POST',
      url: '/api/places/import',
      headers: admin.headers,
      payload: collection,
    });
    expect(again.statusCode).toBe(200);
    const places = collection.features.filter(
      (f: { properties: { kind: string } }) => f.properties.kind !== 'grid',
    ).length;
    expect(again.json()).toEqual({
      placesCreated: 0,
      placesUpdated: places,
      gridsCreated: 0,
      gridsUpdated: collection.features.length - places,
    });
    const reexported = (await t.inject({ method: 'GET', url: '/api/places/export', headers: admin.headers })).json();
    expect(reexported).toEqual(collection);
  });
});
