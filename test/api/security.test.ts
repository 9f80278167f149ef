import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, engineUnderTest, rect, TestApp, type TestUser } from '../helpers/test-app.ts';

/**
 * Every route refuses a caller without credentials, and every route that touches the twin
 * refuses (or filters out) what lies outside the caller's scope.
 */
describe(`security (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  /** An administrator of community B only. */
  let adminB: TestUser;
  /** The grid worker of grid A-1 only. */
  let workerA1: TestUser;
  let leaderB: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    adminB = await t.user('admin', { placeId: w.communityB.id });
    workerA1 = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
    leaderB = await t.user('leader', { placeId: w.communityB.id });
  });
  afterAll(() => t.stop());

  it('knows its routes', () => {
    expect(t.app.routeTable.filter((r) => !r.public).length).toBeGreaterThan(15);
  });

  it('refuses every non-public route without authentication (401 problem)', async () => {
    const routes = t.app.routeTable.filter((r) => !r.public);
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, 'x');
      const res = await t.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.headers['content-type'], `${route.method} ${route.url}`).toContain('application/problem+json');
    }
  });

  it('refuses the device-authenticated routes (token in the path) with an unknown device token (401 problem)', async () => {
    const deviceRoutes = t.app.routeTable.filter((r) => r.public && r.url.startsWith('/api/v1/:token/'));
    expect(deviceRoutes.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/api/v1/:token/telemetry', '/api/v1/:token/attributes']),
    );
    for (const route of deviceRoutes) {
      const url = route.url.replace(':token', 'not-a-device-token').replace(/:(\w+)/g, 'x');
      const res = await t.inject({ method: route.method as 'POST', url, payload: {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.headers['content-type'], `${route.method} ${route.url}`).toContain('application/problem+json');
    }
  });

  it('refuses an unknown bearer token and a malformed Authorization header', async () => {
    expect(
      (await t.inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Bearer nope' } })).statusCode,
    ).toBe(401);
    expect(
      (await t.inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Basic abc' } })).statusCode,
    ).toBe(401);
  });

  it('serves the public routes without authentication', async () => {
    expect((await t.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/readyz' })).json().status).toBe('ready');
    const spec = await t.inject({ method: 'GET', url: '/api/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(
      expect.arrayContaining(['/api/places', '/api/grids', '/api/devices', '/api/auth/login']),
    );
  });

  const outside = () => [
    { who: () => workerA1, method: 'GET', url: () => `/api/places/${w.compoundA2.id}` },
    { who: () => workerA1, method: 'GET', url: () => `/api/grids/${w.gridA2.id}` },
    { who: () => workerA1, method: 'GET', url: () => `/api/devices/${w.deviceA2.row.id}` },
    { who: () => adminB, method: 'PATCH', url: () => `/api/places/${w.compoundA1.id}`, payload: { name: 'x' } },
    { who: () => adminB, method: 'DELETE', url: () => `/api/places/${w.compoundA1.id}` },
    {
      who: () => adminB,
      method: 'POST',
      url: () => '/api/places',
      payload: { code: 'zz1', kind: 'compound', name: 'x', parentId: w.communityA.id },
    },
    { who: () => adminB, method: 'PATCH', url: () => `/api/grids/${w.gridA1.id}`, payload: { name: 'x' } },
    { who: () => adminB, method: 'DELETE', url: () => `/api/grids/${w.gridA1.id}` },
    {
      who: () => adminB,
      method: 'POST',
      url: () => '/api/grids',
      payload: {
        code: '510108999999999',
        name: 'x',
        communityId: w.communityA.id,
        geometry: rect(104.1, 30.66, 104.11, 30.67),
      },
    },
    { who: () => adminB, method: 'PATCH', url: () => `/api/devices/${w.deviceA1.row.id}`, payload: { name: 'x' } },
    { who: () => adminB, method: 'DELETE', url: () => `/api/devices/${w.deviceA1.row.id}` },
    {
      who: () => adminB,
      method: 'POST',
      url: () => '/api/devices',
      payload: { code: 'zz2', name: 'x', kind: 'smoke', placeId: w.compoundA1.id },
    },
    {
      who: () => adminB,
      method: 'POST',
      url: () => '/api/users',
      payload: { username: 'zz3', displayName: 'x', role: 'worker', scopePlaceId: w.communityA.id },
    },
    {
      who: () => adminB,
      method: 'POST',
      url: () => '/api/places/import',
      payload: {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: null,
            properties: { kind: 'compound', code: 'zz4', name: 'x', parentCode: w.communityA.code },
          },
        ],
      },
    },
    { who: () => adminB, method: 'GET', url: () => '/api/audit' },
    { who: () => adminB, method: 'GET', url: () => '/api/audit/verify' },
  ];

  it('refuses what lies outside the caller’s scope (403 outside-scope), and writes nothing', async () => {
    for (const c of outside()) {
      const res = await t.inject({
        method: c.method as 'GET',
        url: c.url(),
        headers: c.who().headers,
        ...(c.payload ? { payload: c.payload } : {}),
      });
      expect(res.statusCode, `${c.method} ${c.url()}`).toBe(403);
      expect(res.json().type, `${c.method} ${c.url()}`).toMatch(/outside-scope$/);
    }
    const codes = (
      await t.inject({ method: 'GET', url: '/api/places?pageSize=500', headers: (await t.user('admin')).headers })
    )
      .json()
      .items.map((p: { code: string }) => p.code);
    expect(codes).not.toContain('zz1');
    expect(codes).not.toContain('zz4');
  });

  it('filters lists to the caller’s scope: a grid worker sees only their grid', async () => {
    const places = (
      await t.inject({ method: 'GET', url: '/api/places?kind=compound', headers: workerA1.headers })
    ).json();
    expect(places.items.map((p: { id: string }) => p.id)).toEqual([w.compoundA1.id]);
    const devices = (await t.inject({ method: 'GET', url: '/api/devices', headers: workerA1.headers })).json();
    expect(devices.items.map((d: { id: string }) => d.id)).toEqual([w.deviceA1.row.id]);
    const grids = (await t.inject({ method: 'GET', url: '/api/grids', headers: workerA1.headers })).json();
    expect(grids.items.map((g: { id: string }) => g.id)).toEqual([w.gridA1.id]);
    const exported = (await t.inject({ method: 'GET', url: '/api/places/export', headers: leaderB.headers })).json();
    const exportedCodes = exported.features.map((f: { properties: { code: string } }) => f.properties.code);
    expect(exportedCodes).toContain(w.compoundB1.code);
    expect(exportedCodes).not.toContain(w.compoundA1.code);
    const users = (await t.inject({ method: 'GET', url: '/api/users', headers: leaderB.headers })).json();
    expect(users.items.map((u: { username: string }) => u.username)).not.toContain(workerA1.username);
    expect(users.items.map((u: { username: string }) => u.username)).toContain(adminB.username);
  });

  it('refuses roles that may not act (403 forbidden)', async () => {
    const resident = await t.user('resident', { placeId: w.communityA.id });
    const cases = [
      {
        who: workerA1,
        method: 'POST',
        url: '/api/places',
        payload: { code: 'r1', kind: 'compound', name: 'x', parentId: w.communityA.id },
      },
      { who: workerA1, method: 'POST', url: '/api/places/import', payload: {} },
      { who: resident, method: 'GET', url: '/api/devices' },
      { who: resident, method: 'GET', url: `/api/devices/${w.deviceA1.row.id}` },
      { who: workerA1, method: 'GET', url: '/api/users' },
      {
        who: leaderB,
        method: 'POST',
        url: '/api/users',
        payload: { username: 'r2', displayName: 'x', role: 'worker' },
      },
      { who: workerA1, method: 'GET', url: '/metrics' },
      { who: leaderB, method: 'GET', url: '/api/audit' },
    ];
    for (const c of cases) {
      const res = await t.inject({
        method: c.method as 'GET',
        url: c.url,
        headers: c.who.headers,
        ...(c.payload ? { payload: c.payload } : {}),
      });
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(403);
      expect(res.json().type).toMatch(/forbidden$/);
    }
  });

  it('serves metrics to an administrator', async () => {
    const res = await t.inject({ method: 'GET', url: '/metrics', headers: (await t.user('admin')).headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('civictwin_http_requests_total');
  });
});
