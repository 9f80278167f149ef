import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';
import { expectErrors, issueKey, postForm } from './open311-fixtures/helpers.ts';

/**
 * A report POSTed through Open311 becomes a case of the closed loop; as it moves through the
 * workflow, GET requests and servicerequestupdates show its status and notes; bad requests get
 * the GeoReport v2 errors; no GET ever shows who reported.
 */
describe(`Open311 requests over the case engine (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let key: string;
  const inA1 = { lat: '30.665', long: '104.105' };

  const get = (url: string) => t.inject({ method: 'GET', url });
  const request = async (id: string) => {
    const res = await get(`/open311/v2/requests/${id}.json`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json()[0];
  };
  const caseOfCode = async (code: string, who: TestUser = w.dispatcher) => {
    const list = await call(t, who, 'GET', '/api/cases?pageSize=500');
    const found = list.json.items.find((c: { code: string }) => c.code === code);
    expect(found, `case ${code}`).toBeDefined();
    return (await call(t, who, 'GET', `/api/cases/${found.id}`)).json;
  };
  const report = async (fields: Record<string, string | string[]>) => {
    const res = await postForm(t, { api_key: key, ...fields });
    expect(res.statusCode, res.body).toBe(200);
    await t.tick();
    return res.json()[0] as { service_request_id?: string; token?: string; service_notice: string };
  };
  const caseCount = async () => (await call(t, w.admin, 'GET', '/api/cases?pageSize=1')).json.total as number;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    key = await issueKey(t, w.admin, '成华 e 家');
  });
  afterAll(() => t.stop());

  it('creates a case (source resident) where the point lies, with the reporter for the call-back', async () => {
    const posted = await report({
      ...inA1,
      service_code: 'street_vendor',
      description: '小区门口有人卖熟食',
      'attribute[goods][]': ['cooked_food', 'fruit_veg'],
      first_name: '三',
      last_name: '张',
      phone: '13912345678',
      email: 'zhang@example.cn',
      media_url: 'https://example.org/v.jpg',
    });
    expect(posted.service_request_id).toMatch(/^20261126\d{5}$/);
    expect(posted.service_notice).toBe('2个工作小时内处置 To be handled within 2 working hours');
    const c = await caseOfCode(posted.service_request_id!);
    expect(c).toMatchObject({
      source: 'resident',
      state: 'reported',
      category: { code: 'street_vendor' },
      placeId: w.compoundA1.id,
      gridId: w.gridA1.id,
      location: [104.105, 30.665],
      description: '小区门口有人卖熟食',
      reporter: { name: '张三', phone: '13912345678', email: 'zhang@example.cn' },
    });
    expect(c.timeline[0]).toMatchObject({
      action: 'report',
      actor: { name: 'Open311 · 成华 e 家' },
      photos: ['https://example.org/v.jpg'],
      data: { open311: { app: '成华 e 家', answers: { goods: ['cooked_food', 'fruit_veg'] } } },
    });
    // A grid worker sees the reporter masked, as for any report.
    expect((await caseOfCode(posted.service_request_id!, w.workerA1)).reporter).toMatchObject({
      name: '张*',
      phone: '139****5678',
      email: 'z***@example.cn',
    });
  });

  it('follows the case through the workflow: status, notes, agency, deadline and updates', async () => {
    const since = t.clock.now().toISOString();
    const { service_request_id: id } = await report({ ...inA1, service_code: 'exposed_garbage', description: '垃圾' });
    const c = await caseOfCode(id!);
    expect(await request(id!)).toMatchObject({
      status: 'open',
      status_notes: '已受理，待立案 Received, to be registered',
      agency_responsible: null,
      expected_datetime: null,
    });
    const steps: [TestUser, Record<string, unknown>, string, string][] = [
      [w.dispatcher, { action: 'register' }, 'open', '已立案，待派遣 Registered, to be dispatched'],
      [
        w.dispatcher,
        { action: 'dispatch', targetId: w.workerA1.id },
        'open',
        '已派遣至责任单位 Sent to the responsible unit',
      ],
      [w.workerA1, { action: 'accept' }, 'open', '处置中 Being handled'],
      [w.workerA1, { action: 'handle', note: '已清运，地面已冲洗' }, 'open', '已清运，地面已冲洗'],
      [w.dispatcher, { action: 'verify' }, 'closed', '已核查解决 Verified as fixed'],
      [w.dispatcher, { action: 'close', note: '感谢您的反映' }, 'closed', '感谢您的反映'],
    ];
    for (const [who, body, status, notes] of steps) {
      t.clock.advance(10 * 60_000);
      await act(t, who, c.id, body);
      await t.tick();
      const r = await request(id!);
      expect([r.status, r.status_notes], String(body.action)).toEqual([status, notes]);
      expect(r.updated_datetime).toMatch(/\+08:00$/);
    }
    const done = await request(id!);
    expect(done.agency_responsible).toBe(`${w.gridA1.name} 网格`);
    expect(done.expected_datetime).toMatch(/^2026-11-26T\d{2}:\d{2}:00\+08:00$/);

    const updates = (
      await get(`/open311/v2/servicerequestupdates.json?start_date=${encodeURIComponent(since)}`)
    ).json();
    const mine = updates.filter((u: { service_request_id: string }) => u.service_request_id === id);
    expect(mine.map((u: { status: string }) => u.status)).toEqual([
      'INVESTIGATING',
      'ACTION_SCHEDULED',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'FIXED',
      'FIXED',
    ]);
    expect(Object.keys(mine[0])).toEqual([
      'update_id',
      'service_request_id',
      'status',
      'updated_datetime',
      'description',
    ]);
    expect(mine[3].description).toBe('已清运，地面已冲洗');
    expect(mine.map((u: { updated_datetime: string }) => u.updated_datetime)).toEqual(
      [...mine.map((u: { updated_datetime: string }) => u.updated_datetime)].sort(),
    );
    const ids = mine.map((u: { update_id: string }) => Number(u.update_id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // The window: updates after the last one are none; XML carries the same.
    const at = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();
    expect(
      (await get(`/open311/v2/servicerequestupdates.json?start_date=${at(1000)}&end_date=${at(3_600_000)}`)).json(),
    ).toEqual([]);
    const xml = await get(`/open311/v2/servicerequestupdates.xml?start_date=${encodeURIComponent(since)}`);
    expect(xml.body).toContain('<status>ACTION_SCHEDULED</status>');
    expect(xml.body).toContain('<service_request_updates>');
  });

  it('reads a voided case as closed, with the public reason and the matching extended status', async () => {
    const since = t.clock.now().toISOString();
    const dup = await report({ ...inA1, service_code: 'exposed_garbage' });
    const notOurs = await report({ ...inA1, service_code: 'exposed_garbage' });
    await act(t, w.dispatcher, (await caseOfCode(dup.service_request_id!)).id, {
      action: 'void',
      reason: '重复上报，已合并处理',
    });
    await act(t, w.dispatcher, (await caseOfCode(notOurs.service_request_id!)).id, {
      action: 'void',
      reason: '属于物业管理职责，已转告物业',
    });
    await t.tick();
    expect(await request(dup.service_request_id!)).toMatchObject({
      status: 'closed',
      status_notes: '重复上报，已合并处理',
    });
    const updates = (
      await get(`/open311/v2/servicerequestupdates.json?start_date=${encodeURIComponent(since)}`)
    ).json();
    const statusOf = (id?: string) =>
      updates.find((u: { service_request_id: string }) => u.service_request_id === id)?.status;
    expect(statusOf(dup.service_request_id)).toBe('DUPLICATE');
    expect(statusOf(notOurs.service_request_id)).toBe('NOT_COUNCILS_RESPONSIBILITY');
  });

  it('filters GET requests by id list, service, status and dates', async () => {
    const a = await report({ ...inA1, service_code: 'road_damage', 'attribute[damage_size]': 'small' });
    const b = await report({ ...inA1, service_code: 'road_damage', 'attribute[damage_size]': 'large' });
    const ids = (url: string) =>
      get(url).then((r) => {
        expect(r.statusCode, r.body).toBe(200);
        return r.json().map((x: { service_request_id: string }) => x.service_request_id);
      });
    expect(
      await ids(`/open311/v2/requests.json?service_request_id=${a.service_request_id},${b.service_request_id}`),
    ).toEqual([b.service_request_id, a.service_request_id]);
    // service_request_id overrides every other argument.
    expect(await ids(`/open311/v2/requests.json?service_request_id=${a.service_request_id}&status=closed`)).toEqual([
      a.service_request_id,
    ]);
    const roads = await ids('/open311/v2/requests.json?service_code=road_damage');
    expect(roads.sort()).toEqual([a.service_request_id, b.service_request_id].sort());
    expect(await ids('/open311/v2/requests.json?service_code=road_damage&status=closed')).toEqual([]);
    expect((await ids('/open311/v2/requests.json?status=open,closed')).length).toBeGreaterThan(2);
    expect(
      await ids('/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-02-01T00:00:00Z'),
    ).toEqual([]);
    expect(await ids('/open311/v2/requests.json?service_code=road_damage&page_size=1&page=2')).toHaveLength(1);
    expect(await ids('/open311/v2/requests.json?service_code=road_damage&start_date=&end_date=')).toHaveLength(2);
  });

  it('places reports by address_id (a place code) or by a place named in address_string', async () => {
    const byId = await report({ service_code: 'exposed_garbage', address_id: w.compoundB1.code });
    expect((await caseOfCode(byId.service_request_id!)).placeId).toBe(w.compoundB1.id);
    const byName = await report({ service_code: 'exposed_garbage', address_string: `${w.compoundA2.name}东门` });
    const c = await caseOfCode(byName.service_request_id!);
    expect([c.placeId, c.address]).toEqual([w.compoundA2.id, `${w.compoundA2.name}东门`]);
    // A point outside every compound and grid falls back on the place the address names.
    const stray = await report({
      service_code: 'exposed_garbage',
      lat: '39.9',
      long: '116.4',
      address_string: `${w.compoundB1.name}北门`,
    });
    expect((await caseOfCode(stray.service_request_id!)).placeId).toBe(w.compoundB1.id);
    // An address naming no place goes to the district for the dispatcher to place.
    const vague = await report({ service_code: 'exposed_garbage', address_string: '某条小路' });
    expect((await caseOfCode(vague.service_request_id!)).placeId).toBe(w.district.id);
    expect((await request(byId.service_request_id!)).address_id).toBe(w.compoundB1.code);
  });

  it('answers a batch service with a token that gives the id once the case is registered', async () => {
    const posted = await report({ ...inA1, service_code: 'illegal_building', 'attribute[stage]': 'starting' });
    expect(posted.service_request_id).toBeUndefined();
    const token = posted.token!;
    const before = (await get(`/open311/v2/tokens/${token}.json`)).json();
    expect(before).toEqual([{ service_request_id: null, token }]);
    const listed = (await get('/open311/v2/requests.json?service_code=illegal_building')).json();
    expect(listed).toEqual([]);
    const all = await call(t, w.dispatcher, 'GET', '/api/cases?pageSize=500&category=illegal_building');
    const c = all.json.items[0];
    expectErrors(await get(`/open311/v2/requests/${c.code}.json`), 404, 'json');
    await act(t, w.dispatcher, c.id, { action: 'register' });
    await t.tick();
    expect((await get(`/open311/v2/tokens/${token}.json`)).json()).toEqual([{ service_request_id: c.code, token }]);
    expect((await request(c.code)).status_notes).toBe('已立案，待派遣 Registered, to be dispatched');
  });

  it('publishes residents’ reports from the portal too, and nothing else', async () => {
    const portal = await call(
      t,
      w.resident,
      'POST',
      '/api/cases',
      reportBody(w, { photos: ['https://example.org/a.jpg'] }),
    );
    expect(portal.status, JSON.stringify(portal.json)).toBe(201);
    const hotline = await call(t, w.dispatcher, 'POST', '/api/cases', reportBody(w, { source: 'hotline' }));
    expect(hotline.status, JSON.stringify(hotline.json)).toBe(201);
    await t.tick();
    expect((await request(portal.json.code)).media_url).toBe('https://example.org/a.jpg');
    expectErrors(await get(`/open311/v2/requests/${hotline.json.code}.xml`), 404, 'xml');
  });

  it('never shows a reporter’s personal details in any GET', async () => {
    const person = {
      first_name: '秘密名',
      last_name: '欧阳',
      email: 'secret.person@example.cn',
      phone: '13700001111',
      device_id: 'device-SECRET-1',
      account_id: 'account-SECRET-2',
    };
    const posted = await report({ ...inA1, service_code: 'exposed_garbage', ...person });
    const token = (
      await report({ ...inA1, service_code: 'illegal_building', 'attribute[stage]': 'starting', ...person })
    ).token;
    const urls = [
      '/open311/v2/requests',
      `/open311/v2/requests/${posted.service_request_id}`,
      `/open311/v2/tokens/${token}`,
      '/open311/v2/servicerequestupdates',
      '/open311/v2/services',
      '/open311/discovery',
    ];
    for (const url of urls)
      for (const format of ['xml', 'json']) {
        const res = await get(`${url}.${format}`);
        expect(res.statusCode, url).toBe(200);
        for (const secret of [...Object.values(person), '1370000', '欧阳秘密名', 'secret.person'])
          expect(res.body, `${url}.${format}`).not.toContain(secret);
      }
  });

  it('never publishes the contact details a resident gave in the portal', async () => {
    const contact = { reporterName: '王秘密', reporterPhone: '13655556666', reporterEmail: 'wang.secret@example.cn' };
    const portal = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, contact));
    expect(portal.status, JSON.stringify(portal.json)).toBe(201);
    await t.tick();
    expect((await request(portal.json.code)).description).toBe('小区门口垃圾堆了两天');
    for (const url of [
      '/open311/v2/requests',
      `/open311/v2/requests/${portal.json.code}`,
      '/open311/v2/servicerequestupdates',
    ])
      for (const format of ['xml', 'json']) {
        const res = await get(`${url}.${format}`);
        expect(res.statusCode, url).toBe(200);
        for (const secret of [...Object.values(contact), '王秘', '1365555', 'wang.secret'])
          expect(res.body, `${url}.${format}`).not.toContain(secret);
      }
  });

  describe('bad requests: the GeoReport v2 errors, the right status, nothing written', () => {
    const cases: [string, Record<string, string | string[]>, number, RegExp][] = [
      ['no api_key', { service_code: 'exposed_garbage', ...inA1 }, 403, /^api_key was not provided/],
      ['a wrong api_key', { api_key: 'o311_nope', service_code: 'exposed_garbage', ...inA1 }, 403, /^Invalid api_key/],
      ['no service_code', { ...inA1 }, 400, /^service_code was not provided$/],
      ['an unknown service', { service_code: 'unicorns', ...inA1 }, 404, /^service_code unicorns not found$/],
      ['no location', { service_code: 'exposed_garbage' }, 400, /^A full location parameter must be submitted/],
      ['half a point', { service_code: 'exposed_garbage', lat: '30.665' }, 400, /^lat and long must both be sent$/],
      [
        'a point outside the district',
        { service_code: 'exposed_garbage', lat: '39.9', long: '116.4' },
        400,
        /^lat\/long lies outside the district/,
      ],
      ['an unknown address_id', { service_code: 'exposed_garbage', address_id: 'nowhere' }, 400, /^address_id nowhere/],
      [
        'a missing required answer',
        { service_code: 'illegal_parking', ...inA1 },
        400,
        /^attribute\[vehicle_kind\] is required/,
      ],
      ['a malformed phone', { service_code: 'exposed_garbage', ...inA1, phone: 'call me' }, 400, /^phone must be/],
      [
        'a media_url that is no URL',
        { service_code: 'exposed_garbage', ...inA1, media_url: 'x.jpg' },
        400,
        /^media_url/,
      ],
    ];
    for (const [what, fields, status, message] of cases)
      it(`refuses ${what} (${status})`, async () => {
        const before = await caseCount();
        for (const format of ['xml', 'json'] as const) {
          const withKey = what.includes('api_key') ? fields : { api_key: key, ...fields };
          const descriptions = expectErrors(await postForm(t, withKey, format), status, format);
          expect(
            descriptions.some((d) => message.test(d)),
            descriptions.join(' | '),
          ).toBe(true);
        }
        expect(await caseCount()).toBe(before);
      });

    it('reports several problems at once', async () => {
      const res = await postForm(t, {
        api_key: key,
        service_code: 'road_damage',
        ...inA1,
        email: 'no',
        'attribute[depth_cm]': 'x',
      });
      expect(expectErrors(res, 400, 'json')).toEqual([
        'email is not an e-mail address',
        'attribute[damage_size] is required: 破损面积 How large is the damage?',
        'attribute[depth_cm] must be a number',
      ]);
    });

    it('refuses malformed dates and statuses (400), unknown ids and tokens (404)', async () => {
      for (const format of ['xml', 'json'] as const) {
        expect(expectErrors(await get(`/open311/v2/requests.${format}?start_date=2026-11-01`), 400, format)[0]).toMatch(
          /^start_date must be a W3C date-time with its time zone/,
        );
        expectErrors(await get(`/open311/v2/requests.${format}?end_date=tomorrow`), 400, format);
        expectErrors(await get(`/open311/v2/requests.${format}?status=fixed`), 400, format);
        expectErrors(
          await get(`/open311/v2/requests.${format}?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z`),
          400,
          format,
        );
        expectErrors(await get(`/open311/v2/servicerequestupdates.${format}?start_date=26.11.2026`), 400, format);
        expectErrors(await get(`/open311/v2/requests/99999999999.${format}`), 404, format);
        expectErrors(await get(`/open311/v2/tokens/no-such-token.${format}`), 404, format);
        expectErrors(await get(`/open311/v2/requests.${format}?status=open&status=closed`), 400, format);
      }
    });

    it('refuses a body that is not a form, in the GeoReport format', async () => {
      const res = await t.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expectErrors(res, 400, 'json');
    });
  });
});
