/**
 * Hostile input is refused where it enters, with the route's own error format and nothing stored:
 * - U+0000 (NUL) — URL, JSON, EPCIS JSON or XML, Open311 forms, MQTT payloads: PostgreSQL cannot
 *   store it in text, and both engines must behave alike (a backslash followed by "u0000" is text);
 * - JSON or XML nested deeper than 64 levels: the code that walks input recurses, and a few
 *   kilobytes of `[[[[…` exhausted the stack (a 500 before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasNul } from '../../src/kernel/http/input-guards.ts';
import { deviceByAccessToken } from '../../src/twin/device-state.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';
import { expectErrors, issueKey, postForm } from './open311-fixtures/helpers.ts';

describe('hasNul', () => {
  it('finds a raw NUL and an unescaped \\u0000 escape, not an escaped backslash', () => {
    expect(hasNul('a\u0000b')).toBe(true);
    expect(hasNul('{"a":"x\\u0000"}')).toBe(true); // the JSON escape \u0000
    expect(hasNul('{"a":"\\\\\\u0000"}')).toBe(true); // \\ then \u0000
    expect(hasNul('{"a":"C:\\\\u0000"}')).toBe(false); // \\ then the letters u0000
    expect(hasNul('{"a":"\\u00001"}')).toBe(true);
    expect(hasNul('{"a":"\\u0001"}')).toBe(false);
    expect(hasNul('')).toBe(false);
  });
});

describe(`hostile input (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  const caseCount = async () => (await call(t, w.admin, 'GET', '/api/cases?pageSize=1')).json.total as number;

  it('refuses it in a URL and in a JSON body with a 400 problem, and stores nothing', async () => {
    const listed = await call(t, w.admin, 'GET', '/api/cases?place=%00');
    expect(listed.status).toBe(400);
    expect(listed.json.detail).toMatch(/U\+0000/);
    const before = await caseCount();
    const res = await call(
      t,
      w.resident,
      'POST',
      '/api/cases',
      reportBody(w, { description: 'pile of\u0000 rubbish' }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, detail: expect.stringMatching(/U\+0000/) });
    expect(await caseCount()).toBe(before);
    // A backslash followed by "u0000" is ordinary text.
    const ok = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { description: 'path C:\\u0000' }));
    expect(ok.status).toBe(201);
    expect(ok.json.description).toBe('path C:\\u0000');
  });

  it('refuses it in a device batch', async () => {
    const res = await call(t, w.admin, 'POST', '/api/signals', {
      items: [{ device: w.deviceA1.row.code, ts: t.clock.now().getTime(), values: { note: 'a\u0000' } }],
    });
    expect(res.status).toBe(400);
  });

  it('drops an MQTT payload carrying it, as malformed', async () => {
    const device = await deviceByAccessToken(t.ctx.db, w.deviceA1.accessToken);
    expect(device).toBeDefined();
    const outcome = await t.ctx.signals.ingest.fromMqtt(
      device!,
      'telemetry',
      Buffer.from('{"detection":{"type":"garbage_overflow\\u0000","confidence":0.9}}'),
    );
    expect(outcome).toBe('malformed');
  });

  it('refuses it in an EPCIS document, JSON or XML, as a ValidationException', async () => {
    const json = await t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...w.admin.headers, 'content-type': 'application/ld+json' },
      payload:
        '{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-26T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-26T00:00:00Z","eventTimeZoneOffset":"+08:00","action":"OBSERVE","epcList":["urn:epc:id:sgtin:6901234.012345.1\\u0000"]}]}}',
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().type).toBe('epcisException:ValidationException');
    const xml = await t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...w.admin.headers, 'content-type': 'application/xml' },
      payload: '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><a>x&#0;</a></epcis:EPCISDocument>',
    });
    expect(xml.statusCode).toBe(400);
    expect(xml.json().type).toBe('epcisException:ValidationException');
  });

  it('refuses it in an Open311 form with a GeoReport v2 error', async () => {
    const key = await issueKey(t, w.admin, 'nul-app');
    const res = await postForm(t, { api_key: key, service_code: 'exposed_garbage', description: 'a\u0000b' });
    const [description] = expectErrors(res, 400, 'json');
    expect(description).toMatch(/U\+0000/);
  });

  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const shallowDeep = `${'['.repeat(1_000)}${']'.repeat(1_000)}`;
  const epcisEvent = (extra: string) =>
    `{"type":"ObjectEvent","eventTime":"2026-11-26T00:00:00Z","eventTimeZoneOffset":"+08:00","action":"OBSERVE","epcList":["urn:epc:id:sgtin:6901234.012345.1"],"example:deep":${extra}}`;
  const epcisDocument = (extra: string) =>
    `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"example":"http://ns.example.com/epcis/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-26T00:00:00Z","epcisBody":{"eventList":[${epcisEvent(extra)}]}}`;

  it('refuses JSON nested deeper than 64 levels on every kind of route, with a 400', async () => {
    const post = (url: string, payload: string, headers: Record<string, string>, type = 'application/json') =>
      t.inject({ method: 'POST', url, headers: { ...headers, 'content-type': type }, payload });
    const answers = [
      await post('/epcis/capture', epcisDocument(deep), w.admin.headers, 'application/ld+json'),
      await post('/epcis/events', epcisEvent(deep), w.admin.headers, 'application/ld+json'),
      await post('/api/trace/event-hashes', epcisDocument(deep), w.admin.headers, 'application/ld+json'),
      await post('/api/cases', JSON.stringify(reportBody(w)).replace(/}$/, `,"extra":${deep}}`), w.resident.headers),
      await post(
        '/api/signals',
        `{"items":[{"device":"${w.deviceA1.row.code}","ts":${t.clock.now().getTime()},"values":{"k":${deep}}}]}`,
        w.admin.headers,
      ),
      await post(`/api/v1/${w.deviceA1.accessToken}/telemetry`, `{"k":${shallowDeep}}`, {}), // under SIGNAL_MAX_BYTES
    ];
    for (const res of answers) {
      expect(res.statusCode, res.body.slice(0, 200)).toBe(400);
      expect(res.json().detail).toMatch(/deeper than 64/);
    }
    expect(answers[0]?.json().type).toBe('epcisException:ValidationException');
    // 64 levels are fine.
    const ok = await post(
      '/api/trace/event-hashes',
      epcisDocument(`${'{"example:a":'.repeat(50)}1${'}'.repeat(50)}`),
      w.admin.headers,
      'application/ld+json',
    );
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
    const device = await deviceByAccessToken(t.ctx.db, w.deviceA1.accessToken);
    expect(await t.ctx.signals.ingest.fromMqtt(device!, 'telemetry', Buffer.from(`{"k":${shallowDeep}}`))).toBe(
      'malformed',
    );
  });

  it('refuses XML nested deeper than 64 elements, with a 400', async () => {
    const xml = `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="http://ns.example.com/epcis/" schemaVersion="2.0" creationDate="2026-11-26T00:00:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2026-11-26T00:00:00Z</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList><action>OBSERVE</action>${'<ex:a>'.repeat(20_000)}x${'</ex:a>'.repeat(20_000)}</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`;
    for (const url of ['/epcis/capture', '/api/trace/event-hashes']) {
      const res = await t.inject({
        method: 'POST',
        url,
        headers: { ...w.admin.headers, 'content-type': 'application/xml' },
        payload: xml,
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().detail).toMatch(/deeper than 64/);
    }
  });
});
