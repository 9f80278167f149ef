import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import {
  childElements,
  expectErrors,
  fixtureDir,
  issueKey,
  jsonSkeleton,
  leaves,
  postForm,
  skeleton,
  specJson,
  specXml,
  w3cWithZone,
  xmlRoot,
} from './open311-fixtures/helpers.ts';

/**
 * GeoReport v2 and Service Discovery replayed against the specification's own examples: the same
 * elements in the same order and nesting, the same JSON keys, dates with their time zone.
 */
describe(`Open311 GeoReport v2 against the specification’s examples (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;
  let key: string;
  let requestId: string;
  let token: string;

  const get = (url: string) => t.inject({ method: 'GET', url });

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
    key = await issueKey(t, admin);
    const created = await postForm(
      t,
      {
        api_key: key,
        service_code: 'illegal_parking',
        lat: '30.665',
        long: '104.105',
        address_string: '杉板桥路12号门口',
        description: '消防通道被占用',
        'attribute[vehicle_kind]': 'car',
        media_url: 'https://example.org/p/1.jpg',
      },
      'json',
    );
    expect(created.statusCode, created.body).toBe(200);
    requestId = created.json()[0].service_request_id;
    const batch = await postForm(t, {
      api_key: key,
      service_code: 'illegal_building',
      address_id: w.compoundA2.code,
      'attribute[stage]': 'building',
    });
    expect(batch.statusCode, batch.body).toBe(200);
    token = batch.json()[0].token;
    await t.tick();
  });
  afterAll(() => t.stop());

  it('keeps the fixtures identical to the specification when it is beside the checkout', (ctx) => {
    const spec = path.resolve(import.meta.dirname, '../../../shared/conformance/open311/GeoReport_v2.md');
    if (!fs.existsSync(spec)) return ctx.skip();
    const text = fs.readFileSync(spec, 'utf8');
    for (const file of fs
      .readdirSync(fixtureDir)
      .filter((f) => /\.(xml|json\.txt)$/.test(f) && !f.startsWith('discovery'))) {
      const example = fs.readFileSync(path.join(fixtureDir, file), 'utf8').trimEnd();
      expect(text.includes(example), file).toBe(true);
    }
  });

  it('GET services: the elements of the example service, in its order; JSON with the same keys', async () => {
    const res = await get('/open311/v2/services.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const ours = xmlRoot(res.body);
    expect(skeleton(ours)).toEqual(skeleton(specXml('service-list')));
    const parking = childElements(ours).find(
      (s) => s.getElementsByTagName('service_code')[0]?.textContent === 'illegal_parking',
    );
    expect(Object.fromEntries(leaves(parking!))).toMatchObject({
      service_name: '机动车违章停车',
      metadata: 'true',
      type: 'realtime',
      group: '街面秩序',
    });

    const json = await get('/open311/v2/services.json');
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    const services = json.json();
    expect(jsonSkeleton(services)).toEqual(jsonSkeleton(specJson('service-list')));
    expect(typeof services[0].metadata).toBe('boolean');
    expect(services.map((s: { service_code: string }) => s.service_code)).toEqual(
      childElements(ours).map((s) => s.getElementsByTagName('service_code')[0]?.textContent),
    );
  });

  it('GET services/{code}: the definition with attributes and values, as the example', async () => {
    const res = await get('/open311/v2/services/illegal_parking.xml');
    expect(res.statusCode).toBe(200);
    const ours = xmlRoot(res.body);
    expect(skeleton(ours)).toEqual(skeleton(specXml('service-definition')));
    const json = (await get('/open311/v2/services/illegal_parking.json')).json();
    expect(jsonSkeleton(json)).toEqual(jsonSkeleton(specJson('service-definition')));
    expect(json.attributes[0]).toMatchObject({
      variable: true,
      code: 'vehicle_kind',
      datatype: 'singlevaluelist',
      required: true,
      datatype_description: null,
      order: 1,
    });
    expect(json.attributes[0].values[0]).toEqual({ key: 'car', name: '小汽车 car' });
    // A service without questions has a definition with no attributes.
    const plain = (await get('/open311/v2/services/exposed_garbage.json')).json();
    expect(plain).toEqual({ service_code: 'exposed_garbage', attributes: [] });
  });

  it('POST requests: the answer of the example (id, notice, account_id), XML and JSON', async () => {
    const fields = {
      api_key: key,
      service_code: 'exposed_garbage',
      lat: '30.665',
      long: '104.105',
      account_id: 'u-42',
    };
    const xml = await postForm(t, fields, 'xml');
    expect(xml.statusCode, xml.body).toBe(200);
    const root = xmlRoot(xml.body);
    expect(skeleton(root)).toEqual(skeleton(specXml('service-request-post')));
    expect(Object.fromEntries(leaves(childElements(root)[0]!))).toMatchObject({
      service_request_id: expect.stringMatching(/^20261126\d{5}$/),
      service_notice: '4个工作小时内处置 To be handled within 4 working hours',
      account_id: 'u-42',
    });
    const json = await postForm(t, { ...fields, account_id: '' }, 'json');
    expect(jsonSkeleton(json.json())).toEqual(jsonSkeleton(specJson('service-request-post')));
    expect(json.json()[0].account_id).toBeNull();
  });

  it('GET tokens/{token}: service_request_id and token, as the example', async () => {
    const xml = await get(`/open311/v2/tokens/${token}.xml`);
    expect(xml.statusCode, xml.body).toBe(200);
    expect(skeleton(xmlRoot(xml.body))).toEqual(skeleton(specXml('request-from-token')));
    const json = (await get(`/open311/v2/tokens/${token}.json`)).json();
    expect(jsonSkeleton(json)).toEqual(jsonSkeleton(specJson('request-from-token')));
    expect(json[0].token).toBe(token);
  });

  it('GET requests and requests/{id}: every element of the examples, in order, dates with the +08:00 zone', async () => {
    for (const [url, example] of [
      ['/open311/v2/requests', 'service-requests'],
      [`/open311/v2/requests/${requestId}`, 'service-request'],
    ] as const) {
      const res = await get(`${url}.xml`);
      expect(res.statusCode, res.body).toBe(200);
      const ours = xmlRoot(res.body);
      const spec = specXml(example);
      expect(skeleton(ours)).toEqual(skeleton(spec));
      const specRequest = Object.fromEntries(leaves(childElements(spec)[0]!));
      const ourRequest = Object.fromEntries(leaves(childElements(ours).find((r) => leaves(r)[0]?.[1] === requestId)!));
      for (const field of ['requested_datetime', 'updated_datetime', 'expected_datetime']) {
        expect(specRequest[field]).toMatch(w3cWithZone);
        if (field !== 'expected_datetime') expect(ourRequest[field]).toMatch(/^2026-11-26T09:00:00\+08:00$/);
      }
      expect(ourRequest).toMatchObject({
        status: 'open',
        service_code: 'illegal_parking',
        service_name: '机动车违章停车',
        description: '消防通道被占用',
        address: '杉板桥路12号门口',
        address_id: w.compoundA1.code,
        lat: '30.665',
        long: '104.105',
        media_url: 'https://example.org/p/1.jpg',
      });

      const json = (await get(`${url}.json`)).json();
      expect(jsonSkeleton(json)).toEqual(jsonSkeleton(specJson(example)));
      const mine = json.find((r: { service_request_id: string }) => r.service_request_id === requestId);
      expect(mine.requested_datetime).toBe('2026-11-26T09:00:00+08:00');
      expect(typeof mine.lat).toBe('number');
    }
  });

  it('errors: the example’s document for a wrong api_key (403), XML and JSON', async () => {
    for (const format of ['xml', 'json'] as const) {
      const res = await postForm(t, { api_key: 'o311_wrong', service_code: 'exposed_garbage' }, format);
      expect(expectErrors(res, 403, format)).toEqual([
        'Invalid api_key received -- can’t proceed with create_request.',
      ]);
      if (format === 'xml') expect(skeleton(xmlRoot(res.body))).toEqual(skeleton(specXml('errors')));
      else expect(jsonSkeleton(res.json())).toEqual(jsonSkeleton(specJson('errors')));
    }
  });

  it('Service Discovery: the example’s fields, our endpoint and both formats', async () => {
    const xml = await get('/open311/discovery.xml');
    expect(xml.statusCode).toBe(200);
    const root = xmlRoot(xml.body);
    expect(skeleton(root)).toEqual(skeleton(specXml('discovery')));
    const json = (await get('/open311/discovery.json')).json();
    expect(jsonSkeleton(json)).toEqual(jsonSkeleton(specJson('discovery')));
    expect(json.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'http://localhost:80/open311/v2',
        changeset: expect.stringMatching(w3cWithZone),
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ]);
  });

  it('serves nothing but xml and json, and answers unknown resources in the GeoReport format', async () => {
    expectErrors(await get('/open311/v2/services.csv'), 404, 'xml');
    expectErrors(await get('/open311/v2/nothing.json'), 404, 'json');
    expectErrors(await get('/open311/v2/services/no_such_service.json'), 404, 'json');
  });
});
