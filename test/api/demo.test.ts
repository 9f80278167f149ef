import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts, demoDistrictLoader } from '../../src/demo/loader.ts';
import { verifyAuditLog } from '../../src/kernel/audit/audit.ts';
import { deviceKinds } from '../../src/twin/schema.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';

describe(`the demo district (${engineUnderTest})`, () => {
  let t: TestApp;
  let cookie: string;
  const password = 'demo-password-1';

  beforeAll(async () => {
    t = await TestApp.start({ demo: true });
    expect(await demoDistrictLoader(t.ctx, password)).toBe(true);
    const res = await t.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password } });
    expect(res.statusCode).toBe(200);
    cookie = [res.headers['set-cookie']].flat()[0]?.split(';')[0] ?? '';
  }, 120_000);
  afterAll(() => t.stop());

  it('lists the model community 杉板桥社区 with its 22 compounds to the logged-in admin', async () => {
    const communities = (
      await t.inject({ method: 'GET', url: '/api/places?kind=community', headers: { cookie } })
    ).json();
    const model = communities.items.find((c: { name: string }) => c.name === '杉板桥社区');
    expect(model).toBeDefined();
    const compounds = (
      await t.inject({
        method: 'GET',
        url: `/api/places?kind=compound&parent=${model.id}&pageSize=100`,
        headers: { cookie },
      })
    ).json();
    expect(compounds.total).toBe(22);
    const population = compounds.items.reduce(
      (sum: number, c: { attributes: { population: number } }) => sum + c.attributes.population,
      0,
    );
    expect(population).toBeGreaterThan(100_000);
    expect(compounds.items.every((c: { gridId: string | null }) => c.gridId !== null)).toBe(true);
  });

  it('has several hundred devices of every kind, each speaking with its demo token', async () => {
    const devices = (await t.inject({ method: 'GET', url: '/api/devices?pageSize=1', headers: { cookie } })).json();
    expect(devices.total).toBeGreaterThan(300);
    for (const kind of deviceKinds) {
      expect(
        (await t.inject({ method: 'GET', url: `/api/devices?kind=${kind}&pageSize=1`, headers: { cookie } })).json()
          .total,
        kind,
      ).toBeGreaterThan(0);
    }
    const row = await t.ctx.db.selectFrom('devices').select(['code', 'token_hash']).executeTakeFirstOrThrow();
    const { hashSecret } = await import('../../src/kernel/auth/secrets.ts');
    expect(row.token_hash).toBe(hashSecret(`demo-${row.code}`));
  });

  it('gives every role an account whose screen shows its own scope', async () => {
    for (const account of demoAccounts()) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: account.username, password },
        remoteAddress: `10.1.0.${account.username.length}`,
      });
      expect(res.statusCode, account.username).toBe(200);
    }
    const login = await t.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'worker', password },
      remoteAddress: '10.2.0.1',
    });
    const workerCookie = [login.headers['set-cookie']].flat()[0]?.split(';')[0] ?? '';
    const grids = (await t.inject({ method: 'GET', url: '/api/grids', headers: { cookie: workerCookie } })).json();
    expect(grids.total).toBe(1);
    expect(grids.items[0].name).toContain('杉板桥社区');
    const devices = (
      await t.inject({ method: 'GET', url: '/api/devices?pageSize=500', headers: { cookie: workerCookie } })
    ).json();
    expect(devices.total).toBeGreaterThan(0);
    expect(devices.items.every((d: { gridId: string }) => d.gridId === grids.items[0].id)).toBe(true);
  });

  it('loads once: a second start reuses the data', async () => {
    expect(await demoDistrictLoader(t.ctx, password)).toBe(false);
  });

  it('audits everything it loaded in an intact chain', async () => {
    const verdict = await verifyAuditLog(t.ctx.db);
    expect(verdict.ok).toBe(true);
    expect(verdict.records).toBeGreaterThan(1000);
  });
});
