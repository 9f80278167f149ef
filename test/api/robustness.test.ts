/**
 * Bad input gets a 4xx, never a 500: every route, called by an administrator (so that the role
 * and scope checks let it through to the input), with malformed path parameters, query strings
 * and bodies. A failure lists each request that got a 5xx.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { standardParameters } from '../../src/trace/epcis/schema.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { call as api, buildCaseWorld, reportBody } from './cases-fixtures.ts';

const PATH_VALUES = ['x', '0', '-1', '9'.repeat(30), 'a%20b', '%E4%B8%AD%E6%96%87', '..%2F..%2Fetc', 'x'.repeat(600)];
const QUERIES = [
  'page=-1&pageSize=abc&limit=-5&offset=x&since=zzz&from=not-a-date&to=2026-13-45',
  'place=%00&grid=%27%20or%201=1--&state=nope&category=nope&format=zzz&sort=%5B%5D',
  'eventCountLimit=abc&perPage=0&nextPageToken=%40%40%40&GE_eventTime=yesterday&EQ_bizStep=&MATCH_epc=%25',
  'epc=&depth=-3&lat=abc&lng=999&bbox=1,2,3&zoom=99&from=2026-01-01&to=2025-01-01',
  `since=-1&cursor=%FF%FE&pageToken=eyJ4IjoxfQ&q=${'x'.repeat(3000)}`,
];
/** U+0000 in every likely text field: PostgreSQL cannot store it, so it must be refused up front. */
const NUL_BODY =
  '{"name":"a\\u0000b","note":"\\u0000","description":"\\u0000","action":"register","query":{"EQ_bizStep":["\\u0000"]},"items":[{"device":"\\u0000","values":{"k":"\\u0000"}}]}';
const JSON_BODIES = [
  '{}',
  '[]',
  '"text"',
  'null',
  '0',
  '{"a":{"b":[[[[[[[1]]]]]]]}}',
  '{',
  '{"items":[null,1,"x",{}]}',
  NUL_BODY,
];

// Thousands of requests; PostgreSQL under CI's load takes a while.
describe(`robustness: no 5xx for bad input (${engineUnderTest})`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let admin: TestUser;
  /** Ids of real things (a case, places, a grid, a device, a user, a named query), for deeper paths. */
  let ids: string[];
  beforeAll(async () => {
    t = await TestApp.start();
    const w = await buildCaseWorld(t);
    admin = w.admin;
    const reported = await api(t, w.resident, 'POST', '/api/cases', reportBody(w));
    expect(reported.status).toBe(201);
    expect((await api(t, admin, 'POST', '/epcis/queries', { name: 'q1', query: {} })).status).toBe(201);
    ids = [reported.json.id, w.communityA.id, w.gridA1.id, w.deviceA1.row.id, w.resident.id, 'q1'];
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
  });
  afterAll(() => t.stop());

  // The API (the web app's pages are files, built on first request: not input handling).
  const routes = () =>
    t.app.routeTable.filter(
      (r) =>
        /^\/(api|epcis|open311)\//.test(r.url) &&
        r.url !== '/api/live' &&
        !r.url.startsWith('/api/docs') &&
        !r.url.endsWith('/*'),
    );

  const failures: string[] = [];
  beforeEach(() => {
    failures.length = 0;
  });
  const call = async (method: string, url: string, payload?: string, contentType = 'application/json') => {
    const res = await t.inject({
      method: method as 'GET',
      url,
      headers: {
        ...admin.headers,
        ...(payload === undefined ? {} : { 'content-type': contentType }),
      },
      payload,
    });
    if (res.statusCode >= 500)
      failures.push(
        `${res.statusCode} ${method} ${url.slice(0, 160)} ${payload?.slice(0, 60) ?? ''}: ${res.body.slice(0, 200)}`,
      );
  };

  it('answers malformed path parameters and query strings with a 4xx', async () => {
    expect(routes().length).toBeGreaterThan(50);
    for (const route of routes()) {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}';
      for (const value of PATH_VALUES) await call(route.method, route.url.replace(/:(\w+)/g, value), body);
      for (const query of QUERIES) await call(route.method, `${route.url.replace(/:(\w+)/g, 'x')}?${query}`, body);
    }
    expect(failures).toEqual([]);
  });

  it('answers malformed bodies with a 4xx', async () => {
    for (const route of routes().filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method))) {
      const url = route.url.replace(/:(\w+)/g, 'x');
      for (const body of JSON_BODIES) await call(route.method, url, body);
      await call(route.method, url, '<a><b>unclosed', 'application/xml');
      await call(route.method, url, 'k=v&k=w&%zz', 'application/x-www-form-urlencoded');
      await call(route.method, url, 'plain words', 'text/plain');
      await call(route.method, url, '\u0000\u00ff', 'application/octet-stream');
    }
    expect(failures).toEqual([]);
  });

  it('answers malformed bodies sent to real things with a 4xx', async () => {
    for (const route of routes().filter((r) => r.method !== 'GET' && r.url.includes('/:'))) {
      for (const id of ids) {
        const url = route.url.replace(/:(\w+)/g, id);
        for (const body of [
          '{}',
          '[]',
          '{"action":"nope","note":1,"targetId":[]}',
          '{"name":null,"geometry":{"type":"Point"}}',
          NUL_BODY,
        ])
          await call(route.method, url, route.method === 'DELETE' ? undefined : body);
      }
    }
    expect(failures).toEqual([]);
    expect((await t.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('answers every EPCIS query parameter with junk values, and the resources with junk names, with a 4xx', async () => {
    // The standard's parameters, and the patterns of the ones a query may build (sensor, extension, bizTransaction…).
    const params = [
      ...standardParameters,
      'GT_maxValue_CEL',
      'GE_minValue',
      'EQ_bizTransaction_po',
      'EQ_source_owning_party',
      'EQ_INNER_example:x',
      'EQ_example:x',
      'EXISTS_example:x',
      'GE_example:x',
      'EQ_sensorMetadata_deviceID',
    ];
    const values = [
      '',
      '*',
      '%',
      '-1',
      '1e400',
      'urn:epc:idpat:sgtin:*.*.*',
      'https://id.gs1.org/01/%2F',
      '2026-13-40T00:00:00Z',
      'a,b,,c',
      '0',
      '9999999999999999999',
      'eventTime',
      'x'.repeat(3000),
    ];
    for (const p of params) for (const v of values) await call('GET', `/epcis/events?${p}=${encodeURIComponent(v)}`);
    for (const resource of ['eventTypes', 'epcs', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions'])
      for (const v of ['x', '%25', 'urn:epc:id:sgtin:1.2.3', 'x'.repeat(2000)]) {
        await call('GET', `/epcis/${resource}/${encodeURIComponent(v)}`);
        await call('GET', `/epcis/${resource}/${encodeURIComponent(v)}/events?perPage=0`);
        await call('GET', `/epcis/${resource}?perPage=-1&nextPageToken=${encodeURIComponent(v)}`);
      }
    expect(failures).toEqual([]);
  });

  it('answers junk in every query parameter the OpenAPI document declares with a 4xx', async () => {
    const doc = (await t.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    const junk = ['', '-1', '1e400', '2026-13-40', '9999999999999999999', 'x'.repeat(3000)];
    let sent = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      const get = methods.get;
      if (!get || path === '/api/live' || path.startsWith('/api/docs')) continue;
      const url = path.replace(/\{(\w+)\}/g, 'x');
      for (const { name } of (get.parameters ?? []).filter((p) => p.in === 'query'))
        for (const value of junk) {
          await call('GET', `${url}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
          sent++;
        }
    }
    expect(sent).toBeGreaterThan(200);
    expect(failures).toEqual([]);
  });
});
