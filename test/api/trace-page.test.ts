import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainCompany, chainIds, loadSausageChain } from '../../src/trace/fixtures/sausage-chain.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';

/** The regulator's trace page (/trace) and the session-cookie path its data calls take. */
describe(`trace page (${engineUnderTest})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
    const users = Object.fromEntries(
      ['farm', 'mill', 'processor', 'coldStore', 'retailerA', 'retailerB', 'other'].map((k) => [k, `user-${k}`]),
    );
    await loadSausageChain(t.ctx.db, users as Record<ChainCompany, string>);
  });
  afterAll(() => t.stop());

  it('serves the page without authentication, with no external assets', async () => {
    const res = await t.inject({ method: 'GET', url: '/trace' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>食品追溯查询 · civictwin</title>');
    expect(res.body).toContain('id="login-form"');
    expect(res.body).toContain("api('/api/auth/login'");
    expect(res.body).toContain("'/api/trace/recall?format=xlsx&'");
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('lets a regulator signed in by cookie trace and export, as the page does', async () => {
    const { username } = await t.user('regulator', {}, 'correct horse battery');
    const login = await t.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: 'correct horse battery' },
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'ct_session');
    expect(cookie).toBeDefined();
    const headers = { cookie: `ct_session=${cookie!.value}` };
    const epc = encodeURIComponent(chainIds.sausageL1);
    const back = await t.inject({ method: 'GET', url: `/api/trace/back?epc=${epc}`, headers });
    expect(back.statusCode).toBe(200);
    expect(back.json().stats.events).toBe(18);
    const svg = await t.inject({ method: 'GET', url: `/api/trace/graph.svg?epc=${epc}`, headers });
    expect(svg.body).toContain('<svg');
    const csv = await t.inject({ method: 'GET', url: `/api/trace/recall?format=csv&epc=${epc}`, headers });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n').length).toBeGreaterThan(2);
    const anonymous = await t.inject({ method: 'GET', url: `/api/trace/back?epc=${epc}` });
    expect(anonymous.statusCode).toBe(401);
  });
});
