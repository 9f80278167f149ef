import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spaPaths } from '../../src/web/routes.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';

/**
 * The web app's routes inside the whole server: public, limited to the app's own paths, and
 * never in the way of the API, the other protocols or the operations endpoints.
 */
describe(`web app routes in the server (${engineUnderTest})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  it('registers the app’s paths as public routes, and nothing under /api but the web config', () => {
    const web = t.app.routeTable.filter((r) => r.url === '/' || spaPaths.some((p) => r.url.startsWith(p)));
    expect(web.length).toBe(1 + 2 * spaPaths.length);
    expect(web.every((r) => r.public && r.method === 'GET')).toBe(true);
    const publicApi = t.app.routeTable.filter(
      (r) => r.public && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'),
    );
    expect(publicApi.map((r) => r.url)).toContain('/api/web-config');
    expect(publicApi.map((r) => r.url)).not.toContain('/api/places');
  });

  it('answers the app’s paths without credentials (the data behind them still needs them)', async () => {
    for (const url of ['/', '/login', '/screen', '/console/cases/1']) {
      const res = await t.inject({ method: 'GET', url });
      // 200 with index.html once web/dist is built; 503 "building" before: never 401, never JSON.
      expect([200, 503], url).toContain(res.statusCode);
      expect(res.headers['content-type'], url).toContain('text/html');
    }
    expect((await t.inject({ method: 'GET', url: '/api/devices' })).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/api/web-config' })).json()).toEqual({ basemapStyleUrl: null });
  });

  it('leaves unknown paths to the not-found problem, and operations endpoints to themselves', async () => {
    for (const url of ['/api/nothing', '/epcis/nothing', '/screens', '/assets/none.js']) {
      const res = await t.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
    // Open311 answers in its own formats (XML by default); what matters here is that the app's HTML does not.
    const open311 = await t.inject({ method: 'GET', url: '/open311/nothing' });
    expect(open311.statusCode).toBe(404);
    expect(open311.headers['content-type']).not.toContain('text/html');
    expect((await t.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });
});
