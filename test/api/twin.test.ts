import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, engineUnderTest, rect, TestApp } from '../helpers/test-app.ts';

describe(`twin API (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: Awaited<ReturnType<TestApp['user']>>;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
  });
  afterAll(() => t.stop());

  it('lists places by kind and parent, paged', async () => {
    const res = await t.inject({
      method: 'GET',
      url: `/api/places?kind=compound&parent=${w.communityA.id}&pageSize=1`,
      headers: admin.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.items).toHaveLength(1);
    expect(body.items[0].kind).toBe('compound');
    expect(body.items[0].kindLabel).toBe('小区/院落');
    const page2 = (
      await t.inject({
        method: 'GET',
        url: `/api/places?kind=compound&parent=${w.communityA.id}&pageSize=1&page=2`,
        headers: admin.headers,
      })
    ).json();
    expect(page2.items[0].id).not.toBe(body.items[0].id);
  });

  it('filters places by bounding box and rejects a malformed one', async () => {
    const res = await t.inject({
      method: 'GET',
      url: '/api/places?kind=compound&bbox=104.13,30.66,104.15,30.68',
      headers: admin.headers,
    });
    expect(res.json().items.map((p: { id: string }) => p.id)).toEqual([w.compoundB1.id]);
    const bad = await t.inject({ method: 'GET', url: '/api/places?bbox=1,2,3', headers: admin.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors[0].pointer).toBe('/query/bbox');
  });

  it('derives each compound’s and device’s grid from the spatial index', async () => {
    const a1 = (
      await t.inject({ method: 'GET', url: `/api/places/${w.compoundA1.id}`, headers: admin.headers })
    ).json();
    expect(a1.gridId).toBe(w.gridA1.id);
    expect(a1.point).toEqual([104.105, 30.665]);
    const dev = (
      await t.inject({ method: 'GET', url: `/api/devices/${w.deviceA2.row.id}`, headers: admin.headers })
    ).json();
    expect(dev.gridId).toBe(w.gridA2.id);
  });

  it('creates, changes and deletes a place, with each change audited', async () => {
    const created = await t.inject({
      method: 'POST',
      url: '/api/places',
      headers: admin.headers,
      payload: {
        code: 'bldg-1',
        kind: 'building',
        name: '1栋',
        parentId: w.compoundA1.id,
        geometry: rect(104.102, 30.662, 104.103, 30.663),
      },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().gridId).toBe(w.gridA1.id);
    const patched = await t.inject({
      method: 'PATCH',
      url: `/api/places/${id}`,
      headers: admin.headers,
      payload: { name: '一号楼' },
    });
    expect(patched.json().name).toBe('一号楼');
    expect((await t.inject({ method: 'DELETE', url: `/api/places/${id}`, headers: admin.headers })).statusCode).toBe(
      204,
    );
    expect((await t.inject({ method: 'GET', url: `/api/places/${id}`, headers: admin.headers })).statusCode).toBe(404);
    const trail = (
      await t.inject({ method: 'GET', url: `/api/audit?subjectType=place&subjectId=${id}`, headers: admin.headers })
    ).json();
    expect(trail.items.map((r: { action: string }) => r.action)).toEqual([
      'place.create',
      'place.update',
      'place.delete',
    ]);
    expect(trail.items[1].before.name).toBe('1栋');
    expect(trail.items[1].after.name).toBe('一号楼');
  });

  it('refuses a place under the wrong kind of parent, a duplicate code, and deleting a place in use', async () => {
    const wrong = await t.inject({
      method: 'POST',
      url: '/api/places',
      headers: admin.headers,
      payload: { code: 'x1', kind: 'building', name: 'x', parentId: w.communityA.id },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].pointer).toBe('/parentId');
    const dup = await t.inject({
      method: 'POST',
      url: '/api/places',
      headers: admin.headers,
      payload: { code: w.compoundA1.code, kind: 'compound', name: 'x', parentId: w.communityA.id },
    });
    expect(dup.statusCode).toBe(409);
    const inUse = await t.inject({ method: 'DELETE', url: `/api/places/${w.compoundA1.id}`, headers: admin.headers });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().detail).toContain('1 devices');
  });

  it('rejects invalid geometry with a pointer', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/places',
      headers: admin.headers,
      payload: {
        code: 'open-ring',
        kind: 'compound',
        name: 'x',
        parentId: w.communityA.id,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [104.1, 30.6],
              [104.2, 30.6],
              [104.2, 30.7],
              [104.1, 30.7],
            ],
          ],
        },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].pointer).toMatch(/^\/geometry/);
  });

  it('refuses a grid or a place whose boundary crosses itself, with where, and changes nothing', async () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [104.1, 30.66],
          [104.11, 30.68],
          [104.11, 30.66],
          [104.1, 30.68],
          [104.1, 30.66],
        ],
      ],
    };
    const before = (await t.inject({ method: 'GET', url: `/api/grids/${w.gridA1.id}`, headers: admin.headers })).json();
    for (const [method, url, payload] of [
      ['PATCH', `/api/grids/${w.gridA1.id}`, { geometry: bowTie }],
      [
        'POST',
        '/api/grids',
        { code: '510100001001099', name: '蝴蝶网格', communityId: w.communityA.id, geometry: bowTie },
      ],
      [
        'POST',
        '/api/places',
        { code: 'bow-tie', kind: 'compound', name: 'x', parentId: w.communityA.id, geometry: bowTie },
      ],
    ] as const) {
      const res = await t.inject({ method, url, headers: admin.headers, payload });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().errors[0]).toMatchObject({
        pointer: '/geometry/coordinates',
        detail: expect.stringMatching(/crosses itself near \[104\.105000, 30\.670000\]/),
      });
    }
    expect(
      (await t.inject({ method: 'GET', url: `/api/grids/${w.gridA1.id}`, headers: admin.headers })).json(),
    ).toEqual(before);
  });

  it('moves a subtree when a place changes parent', async () => {
    const compound = await t.place('compound', w.communityA.id, rect(104.1011, 30.6611, 104.1012, 30.6612));
    const building = await t.place('building', compound.id);
    const res = await t.inject({
      method: 'PATCH',
      url: `/api/places/${compound.id}`,
      headers: admin.headers,
      payload: { parentId: w.communityB.id },
    });
    expect(res.statusCode).toBe(200);
    const inB = (
      await t.inject({
        method: 'GET',
        url: '/api/places?kind=building',
        headers: (await t.user('admin', { placeId: w.communityB.id })).headers,
      })
    ).json();
    expect(inB.items.map((p: { id: string }) => p.id)).toContain(building.id);
    const loop = await t.inject({
      method: 'PATCH',
      url: `/api/places/${w.communityA.id}`,
      headers: admin.headers,
      payload: { parentId: w.communityA.id },
    });
    expect(loop.statusCode).toBe(400);
  });

  it('redraws a grid and re-derives the grid of what lies in it', async () => {
    const res = await t.inject({
      method: 'PATCH',
      url: `/api/grids/${w.gridA2.id}`,
      headers: admin.headers,
      payload: { geometry: rect(104.1, 30.66, 104.12, 30.68) },
    });
    expect(res.statusCode).toBe(200);
    const located = (
      await t.inject({ method: 'GET', url: `/api/devices/${w.deviceA2.row.id}`, headers: admin.headers })
    ).json();
    expect(located.gridId).toBe(w.gridA2.id);
    await t.inject({
      method: 'PATCH',
      url: `/api/grids/${w.gridA2.id}`,
      headers: admin.headers,
      payload: { geometry: rect(104.11, 30.66, 104.12, 30.68) },
    });
  });

  it('registers a device, returns its token once and never again', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/devices',
      headers: admin.headers,
      payload: { code: 'CAM-9', name: '摄像头9', kind: 'ai_camera', placeId: w.compoundA1.id },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.accessToken).toMatch(/^dev_/);
    expect(body.location).toEqual([104.105, 30.665]);
    const again = (await t.inject({ method: 'GET', url: `/api/devices/${body.id}`, headers: admin.headers })).json();
    expect(again.accessToken).toBeUndefined();
    expect(JSON.stringify(again)).not.toContain(body.accessToken);
    const listed = (
      await t.inject({ method: 'GET', url: '/api/devices?kind=ai_camera', headers: admin.headers })
    ).json();
    expect(listed.items.map((d: { code: string }) => d.code)).toContain('CAM-9');
    const patched = await t.inject({
      method: 'PATCH',
      url: `/api/devices/${body.id}`,
      headers: admin.headers,
      payload: { location: [104.135, 30.665], placeId: w.compoundB1.id },
    });
    expect(patched.json().gridId).toBe(w.gridB1.id);
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/devices/${body.id}`, headers: admin.headers })).statusCode,
    ).toBe(204);
  });

  it('shows grid workers’ phones to staff and masks them for residents', async () => {
    const worker = await t.user('worker', { placeId: w.communityA.id });
    await t.inject({
      method: 'PATCH',
      url: `/api/grids/${w.gridA1.id}`,
      headers: admin.headers,
      payload: { workerId: worker.id },
    });
    const staff = (await t.inject({ method: 'GET', url: `/api/grids/${w.gridA1.id}`, headers: admin.headers })).json();
    expect(staff.worker.phone).toBe('13812345678');
    const resident = await t.user('resident', { placeId: w.communityA.id });
    const masked = (
      await t.inject({ method: 'GET', url: `/api/grids/${w.gridA1.id}`, headers: resident.headers })
    ).json();
    expect(masked.worker.phone).toBe('138****5678');
    expect(masked.worker.name).toMatch(/^测\*+$/);
  });
});
