import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../src/rules/default-pack.ts';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

/** `/api/rules`: rules as versioned data, with roles and scope. */
describe(`rules API (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;
  let adminB: TestUser;
  let dispatcherB: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
    adminB = await t.user('admin', { placeId: w.communityB.id });
    dispatcherB = await t.user('dispatcher', { placeId: w.communityB.id });
  });
  afterAll(() => t.stop());

  let n = 0;
  const smokeRule = (over: Record<string, unknown> = {}) => ({
    code: `smoke-${++n}`,
    name: '烟感（测试）',
    scope: { deviceKinds: ['smoke'] },
    condition: { type: 'threshold', key: 'smoke', op: '==', value: true },
    alarm: { category: 'fire_smoke' },
    ...over,
  });
  const post = (who: TestUser, payload: unknown) =>
    t.inject({ method: 'POST', url: '/api/rules', headers: who.headers, payload: payload as object });
  const audit = async (subjectId: string) =>
    (
      await t.ctx.db
        .selectFrom('audit_log')
        .select(['action', 'actor'])
        .where('subject_id', '=', subjectId)
        .orderBy('seq')
        .execute()
    ).map((a) => a.action);

  it('seeds the default rule pack once', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/rules?pageSize=100', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    const codes = res.json().items.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(defaultRules.map((r) => r.code)));
    const categories = defaultRules.map((r) => r.alarm.category).filter(Boolean);
    for (const c of ['garbage_overflow', 'high_altitude_throw', 'fire_smoke', 'gas_leak', 'flooding', 'manhole_cover'])
      expect(categories).toContain(c);
    expect(categories).toEqual(expect.arrayContaining(['emergency_call', 'device_offline']));
    const cameras = (
      await t.inject({ method: 'GET', url: '/api/rules?deviceKind=ai_camera&pageSize=100', headers: admin.headers })
    ).json();
    expect(
      cameras.items.every(
        (r: { scope: { deviceKinds?: string[] } }) => !r.scope.deviceKinds || r.scope.deviceKinds.includes('ai_camera'),
      ),
    ).toBe(true);
  });

  it('creates, versions, changes and removes a rule, each change audited', async () => {
    const created = await post(admin, smokeRule());
    expect(created.statusCode).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({ version: 1, enabled: true, autoClear: true, alarm: { category: 'fire_smoke' } });
    const changed = await t.inject({
      method: 'PUT',
      url: `/api/rules/${rule.id}`,
      headers: admin.headers,
      payload: { ...smokeRule({ code: rule.code }), enabled: false, schedule: { from: '22:00', to: '06:00' } },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      version: 2,
      enabled: false,
      schedule: { timezone: 'Asia/Shanghai', from: '22:00', to: '06:00' },
    });
    const versions = (
      await t.inject({ method: 'GET', url: `/api/rules/${rule.id}/versions`, headers: admin.headers })
    ).json();
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions[1].rule.enabled).toBe(true);
    expect(versions[0].changedBy).toBe(`user:${admin.username}`);
    const removed = await t.inject({ method: 'DELETE', url: `/api/rules/${rule.id}`, headers: admin.headers });
    expect(removed.statusCode).toBe(204);
    expect((await t.inject({ method: 'GET', url: `/api/rules/${rule.id}`, headers: admin.headers })).statusCode).toBe(
      404,
    );
    expect(await audit(rule.id)).toEqual(['rule.create', 'rule.update', 'rule.delete']);
  });

  it.each([
    ['no category and no detection', smokeRule({ alarm: {} }), '/alarm/category'],
    [
      'count over a duration',
      smokeRule({
        condition: {
          type: 'count',
          of: { type: 'duration', key: 't', op: '>', value: 1, seconds: 5 },
          count: 2,
          windowSeconds: 60,
        },
      }),
      '/condition/of',
    ],
    [
      'absence inside AND',
      smokeRule({ condition: { type: 'all', of: [{ type: 'absence', minutes: 5 }] } }),
      '/condition/of/0',
    ],
    ['an unknown place', smokeRule({ scope: { placeIds: ['nowhere'] } }), '/scope/placeIds/0'],
    ['an unknown device', smokeRule({ scope: { deviceIds: ['nothing'] } }), '/scope/deviceIds/0'],
    ['an unknown condition type', smokeRule({ condition: { type: 'magic' } }), '/condition/type'],
    ['a bad time zone', smokeRule({ schedule: { timezone: 'Moon/Base' } }), '/schedule/timezone'],
    [
      'a range with min above max',
      smokeRule({ condition: { type: 'range', key: 'h', min: 9, max: 1 } }),
      '/condition/min',
    ],
  ])('refuses %s (400 with a pointer), storing nothing', async (_name, body, pointer) => {
    const res = await post(admin, body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    const codes = await t.ctx.db
      .selectFrom('rules')
      .select('code')
      .where('code', '=', (body as { code: string }).code)
      .execute();
    expect(codes).toHaveLength(0);
  });

  it('refuses a second rule with the same code (409)', async () => {
    const body = smokeRule();
    expect((await post(admin, body)).statusCode).toBe(201);
    expect((await post(admin, body)).statusCode).toBe(409);
  });

  it('refuses roles that may not write or read rules (403 forbidden)', async () => {
    const worker = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
    const leader = await t.user('leader');
    expect((await post(dispatcherB, smokeRule())).statusCode).toBe(403);
    expect((await post(leader, smokeRule())).json().type).toMatch(/forbidden$/);
    expect((await t.inject({ method: 'GET', url: '/api/rules', headers: worker.headers })).statusCode).toBe(403);
    expect((await t.inject({ method: 'GET', url: '/api/rules', headers: leader.headers })).statusCode).toBe(200);
  });

  it('keeps a scoped administrator to rules for their own places', async () => {
    const outside = await post(adminB, smokeRule({ scope: { placeIds: [w.communityA.id] } }));
    expect(outside.statusCode).toBe(403);
    expect(outside.json().type).toMatch(/outside-scope$/);
    const everything = await post(adminB, smokeRule());
    expect(everything.statusCode).toBe(403);
    const otherDevice = await post(adminB, smokeRule({ scope: { deviceIds: [w.deviceA1.row.id] } }));
    expect(otherDevice.statusCode).toBe(403);
    const mine = await post(adminB, smokeRule({ scope: { placeIds: [w.compoundB1.id] } }));
    expect(mine.statusCode).toBe(201);
    const global = (await t.inject({ method: 'GET', url: '/api/rules?pageSize=100', headers: admin.headers }))
      .json()
      .items.find((r: { code: string }) => r.code === 'smoke-detector');
    const change = await t.inject({
      method: 'PUT',
      url: `/api/rules/${global.id}`,
      headers: adminB.headers,
      payload: { ...global, id: undefined, version: undefined, createdAt: undefined, updatedAt: undefined },
    });
    expect(change.statusCode).toBe(403);
    expect(change.json().type).toMatch(/outside-scope$/);
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/rules/${global.id}`, headers: adminB.headers })).statusCode,
    ).toBe(403);
  });

  it('shows each reader the rules of the whole system and of their places only', async () => {
    const ruleA = (await post(admin, smokeRule({ scope: { placeIds: [w.compoundA1.id] } }))).json();
    const ruleB = (await post(admin, smokeRule({ scope: { placeIds: [w.compoundB1.id] } }))).json();
    const list = (
      await t.inject({ method: 'GET', url: '/api/rules?pageSize=500', headers: dispatcherB.headers })
    ).json();
    const codes = list.items.map((r: { code: string }) => r.code);
    expect(codes).toContain(ruleB.code);
    expect(codes).toContain('device-offline');
    expect(codes).not.toContain(ruleA.code);
    const hidden = await t.inject({ method: 'GET', url: `/api/rules/${ruleA.id}`, headers: dispatcherB.headers });
    expect(hidden.statusCode).toBe(403);
    expect(hidden.json().type).toMatch(/outside-scope$/);
  });
});
