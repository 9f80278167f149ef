/**
 * Who may do what on /epcis: enterprises capture only at their own locations (master data linked
 * to them) and read only their own events; regulators read what lies in their scope; other roles
 * are refused. Plus single-event capture, the capture discovery headers, XML validation errors
 * with XML paths, master data, and POST /api/trace/event-hashes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureWorkerOf } from '../../src/trace/epcis/capture-worker.ts';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/conformance/epcis');
const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const LA = 'urn:epc:id:sgln:6901234.00001.0';
const LB = 'urn:epc:id:sgln:6907654.00001.0';

const event = (location: string | undefined, serial: number, extra: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  eventTime: `2026-11-0${1 + (serial % 8)}T08:00:00+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'receiving',
  epcList: [`urn:epc:id:sgtin:6901234.012345.${serial}`],
  ...(location ? { bizLocation: { id: location } } : {}),
  ...extra,
});
const doc = (events: unknown[]) => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-11-26T00:00:00Z',
  epcisBody: { eventList: events },
});

describe(`EPCIS access (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;
  let entA: TestUser;
  let entB: TestUser;
  let regulatorA: TestUser;
  let regulator: TestUser;
  let resident: TestUser;

  /** POST /epcis/capture, then the capture worker runs what it accepted. */
  const capture = async (who: TestUser, body: unknown, headers: Record<string, string> = {}) => {
    const res = await t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...who.headers, ...headers },
      payload: body as object,
    });
    await captureWorkerOf(t.ctx).drain();
    return res;
  };
  /** The capture job a 202 answered with, as it is now. */
  const jobOf = async (who: TestUser, accepted: { headers: Record<string, unknown> }) =>
    (await t.inject({ method: 'GET', url: accepted.headers.location as string, headers: who.headers })).json();
  const eventIds = async (who: TestUser, qs = '') => {
    const res = await t.inject({ method: 'GET', url: `/epcis/events?perPage=100${qs}`, headers: who.headers });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().epcisBody.queryResults.resultsBody.eventList as { epcList: string[] }[]).map(
      (e) => e.epcList[0],
    );
  };

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
    entA = await t.user('enterprise');
    entB = await t.user('enterprise');
    regulatorA = await t.user('regulator', { placeId: w.communityA.id });
    regulator = await t.user('regulator');
    resident = await t.user('resident', { placeId: w.communityA.id });
    for (const [id, place, owner] of [
      [LA, w.compoundA1.id, entA.id],
      [LB, w.compoundB1.id, entB.id],
    ] as const) {
      const res = await t.inject({
        method: 'PUT',
        url: '/api/trace/master-data/locations',
        headers: admin.headers,
        payload: { id, name: `仓库 ${id}`, placeId: place, ownerId: owner },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ placeId: place, ownerId: owner });
    }
  });
  afterAll(() => t.stop());

  it('lets an enterprise capture at its own locations only, storing nothing otherwise', async () => {
    expect((await capture(entA, doc([event(LA, 1)]))).statusCode).toBe(202);
    expect((await capture(entB, doc([event(LB, 2)]))).statusCode).toBe(202);
    for (const body of [
      doc([event(LA, 3), event(LB, 4)]),
      doc([event(undefined, 5)]),
      doc([event(LA, 6, { readPoint: { id: LB } })]),
    ]) {
      const res = await capture(entA, body);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ type: 'epcisException:SecurityException', kind: 'outside-scope' });
      expect(res.json().detail).toMatch(/^\/epcisBody\/eventList\/\d\/(bizLocation|readPoint)/);
    }
    const all = await eventIds(admin);
    expect(all).toHaveLength(2);
    expect(all.some((e) => /\.(3|5|6)$/.test(e ?? ''))).toBe(false);
  });

  it('shows each enterprise only its own events, and a regulator what lies in its scope', async () => {
    expect(await eventIds(entA)).toEqual(['urn:epc:id:sgtin:6901234.012345.1']);
    expect(await eventIds(entB)).toEqual(['urn:epc:id:sgtin:6901234.012345.2']);
    expect(await eventIds(regulatorA)).toEqual(['urn:epc:id:sgtin:6901234.012345.1']);
    expect((await eventIds(regulator)).sort()).toHaveLength(2);
    const bEvent = await t.inject({ method: 'GET', url: '/epcis/events?perPage=1', headers: entB.headers });
    const id = bEvent.json().epcisBody.queryResults.resultsBody.eventList[0].eventID as string;
    const hidden = await t.inject({
      method: 'GET',
      url: `/epcis/events/${encodeURIComponent(id)}`,
      headers: entA.headers,
    });
    expect(hidden.statusCode).toBe(404);
    expect((await t.inject({ method: 'GET', url: '/epcis/epcs', headers: entA.headers })).json().member).toEqual([
      'https://id.gs1.org/01/06901234123456/21/1',
    ]);
  });

  it('refuses roles that may not read or capture (403 SecurityException)', async () => {
    for (const [who, method, url, payload] of [
      [resident, 'GET', '/epcis/events', undefined],
      [resident, 'GET', '/epcis/eventTypes', undefined],
      [resident, 'POST', '/epcis/capture', doc([event(LA, 7)])],
      [regulator, 'POST', '/epcis/capture', doc([event(LA, 7)])],
      [regulator, 'POST', '/epcis/events', { '@context': context, ...event(LA, 7) }],
      [resident, 'POST', '/epcis/queries', { name: 'q', query: {} }],
      [resident, 'POST', '/api/trace/event-hashes', doc([event(LA, 7)])],
      [resident, 'GET', '/api/trace/master-data?vocabulary=locations', undefined],
      [regulator, 'PUT', '/api/trace/master-data/locations', { id: LA, name: 'x' }],
    ] as const) {
      const res = await t.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().type, `${method} ${url}`).toMatch(/SecurityException$|forbidden$/);
    }
  });

  it('keeps capture jobs, named queries and master data to their owners', async () => {
    const job = await capture(entB, doc([event(LB, 8)]));
    const other = await t.inject({ method: 'GET', url: job.headers.location as string, headers: entA.headers });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ type: 'epcisException:SecurityException', kind: 'outside-scope' });
    const mine = (await t.inject({ method: 'GET', url: '/epcis/capture', headers: entA.headers })).json();
    expect(mine.every((j: { captureID: string }) => j.captureID !== job.json().captureID)).toBe(true);

    const created = await t.inject({
      method: 'POST',
      url: '/epcis/queries',
      headers: entB.headers,
      payload: { name: 'b-receipts', query: { EQ_bizStep: ['receiving'] } },
    });
    expect(created.statusCode, created.body).toBe(201);
    for (const url of ['/epcis/queries/b-receipts', '/epcis/queries/b-receipts/events']) {
      const res = await t.inject({ method: 'GET', url, headers: entA.headers });
      expect(res.statusCode, url).toBe(403);
    }
    const taken = await t.inject({
      method: 'POST',
      url: '/epcis/queries',
      headers: entA.headers,
      payload: { name: 'b-receipts', query: {} },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().type).toBe('epcisException:ResourceAlreadyExistsException');

    const claim = await t.inject({
      method: 'PUT',
      url: '/api/trace/master-data/locations',
      headers: entA.headers,
      payload: { id: LB, name: 'mine now' },
    });
    expect(claim.statusCode).toBe(403);
    const link = await t.inject({
      method: 'PUT',
      url: '/api/trace/master-data/locations',
      headers: entA.headers,
      payload: { id: LA, placeId: w.compoundB1.id },
    });
    expect(link.statusCode).toBe(403);
    const rename = await t.inject({
      method: 'PUT',
      url: '/api/trace/master-data/locations',
      headers: entA.headers,
      payload: { id: LA, name: '成华冷库' },
    });
    expect(rename.statusCode, rename.body).toBe(200);
    expect(rename.json()).toMatchObject({ name: '成华冷库', ownerId: entA.id, placeId: w.compoundA1.id });
    const listed = (
      await t.inject({ method: 'GET', url: '/api/trace/master-data?vocabulary=locations', headers: entA.headers })
    ).json();
    expect(listed.items.map((m: { uri: string }) => m.uri)).toEqual([LA]);
    const scoped = (
      await t.inject({ method: 'GET', url: '/api/trace/master-data?vocabulary=locations', headers: regulatorA.headers })
    ).json();
    expect(scoped.items.map((m: { uri: string }) => m.uri)).toEqual([LA]);
  });

  it('captures a single event with POST /epcis/events: 201 and its Location; again: the same; a clash: 409', async () => {
    const one = { '@context': context, ...event(LA, 20) };
    const res = await t.inject({ method: 'POST', url: '/epcis/events', headers: entA.headers, payload: one });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toMatch(/^\/epcis\/events\/ni%3A%2F%2F%2Fsha-256%3B[0-9a-f]{64}%3Fver%3DCBV2.0$/);
    const stored = await t.inject({ method: 'GET', url: res.headers.location as string, headers: entA.headers });
    expect(stored.json().epcisBody.queryResults.resultsBody.eventList[0]).toMatchObject({
      epcList: one.epcList,
      recordTime: expect.any(String),
    });
    const again = await t.inject({ method: 'POST', url: '/epcis/events', headers: entA.headers, payload: one });
    expect(again.statusCode).toBe(201);
    expect(again.headers.location).toBe(res.headers.location);
    const id = res.json().eventID as string;
    const clash = await t.inject({
      method: 'POST',
      url: '/epcis/events',
      headers: entA.headers,
      payload: { ...event(LA, 21), '@context': context, eventID: id },
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().type).toBe('epcisException:ResourceAlreadyExistsException');
  });

  it('stores an event once; a copy with an error declaration declares the stored one erroneous', async () => {
    const declaration = { declarationTime: '2026-11-26T10:00:00+08:00', reason: 'incorrect_data' };
    const original = event(LA, 50);
    const first = await capture(admin, doc([original, original]));
    expect(await jobOf(admin, first)).toMatchObject({ capturedCount: 1, duplicateCount: 1 });
    const declared = await capture(admin, doc([{ ...original, errorDeclaration: declaration }]));
    expect(await jobOf(admin, declared)).toMatchObject({ success: true, capturedCount: 1, duplicateCount: 0 });
    const both = await capture(admin, doc([event(LA, 51), { ...event(LA, 51), errorDeclaration: declaration }]));
    expect(await jobOf(admin, both)).toMatchObject({ capturedCount: 1, duplicateCount: 0 });
    expect(await eventIds(admin, '&EXISTS_errorDeclaration=true')).toEqual([
      'urn:epc:id:sgtin:6901234.012345.50',
      'urn:epc:id:sgtin:6901234.012345.51',
    ]);
    expect((await eventIds(admin)).filter((e) => e?.endsWith('.50'))).toHaveLength(1);
  });

  it('advertises the capture limits and answers GS1 version headers', async () => {
    const res = await t.inject({ method: 'OPTIONS', url: '/epcis/capture', headers: admin.headers });
    expect(res.statusCode).toBe(204);
    expect(res.headers['gs1-epcis-capture-limit']).toBe('10000');
    expect(Number(res.headers['gs1-epcis-capture-file-size-limit'])).toBeGreaterThan(0);
    expect(res.headers['gs1-capture-error-behaviour']).toBe('all');
    expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
    const tooMany = await capture(admin, doc(Array.from({ length: 10_001 }, (_, i) => event(LA, 1000 + i))));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().type).toBe('epcisException:CaptureLimitExceededException');
    const bad = await capture(admin, doc([event(LA, 30)]), { 'GS1-Capture-Error-Behaviour': 'sometimes' });
    expect(bad.statusCode).toBe(400);
  });

  it('rejects invalid XML with XML paths, and stores nothing', async () => {
    const xml = fs
      .readFileSync(path.join(CORPUS, 'xml/WithExtension__ObjectEvent.xml'), 'utf8')
      .replace('urn:epcglobal:cbv:bizstep:commissioning', 'urn:epcglobal:cbv:bizstep:dancing')
      .replace('<quantity>150</quantity>', '<quantity>lots</quantity>');
    const before = (await eventIds(admin)).length;
    const res = await capture(admin, xml, { 'content-type': 'application/xml' });
    expect(res.statusCode, res.body).toBe(400);
    const pointers = res.json().errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toContain('/epcis:EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[2]/bizStep[1]');
    expect(pointers).toContain(
      '/epcis:EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[2]/quantityList[1]/quantityElement[1]/quantity[1]',
    );
    const broken = await capture(admin, '<epcis:EPCISDocument', { 'content-type': 'application/xml' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().type).toBe('epcisException:ValidationException');
    expect((await eventIds(admin)).length).toBe(before);
  });

  it('captures master data documents, which WD_ queries then follow', async () => {
    const md = fs.readFileSync(path.join(CORPUS, 'xml/Mimasu__Example-masterData.xml'), 'utf8');
    const res = await capture(admin, md, { 'content-type': 'application/xml' });
    expect(res.statusCode, res.body).toBe(202);
    expect(await jobOf(admin, res)).toMatchObject({ success: true, eventCount: 0 });
    const located = await capture(
      admin,
      doc([event('urn:epc:id:sgln:0037000.00729.8203', 40), event('urn:epc:id:sgln:0037000.00729.9999', 41)]),
    );
    expect(located.statusCode).toBe(202);
    const within = await eventIds(admin, `&WD_bizLocation=${encodeURIComponent('urn:epc:id:sgln:0037000.00729.0')}`);
    expect(within).toEqual(['urn:epc:id:sgtin:6901234.012345.40']);
    const listed = (
      await t.inject({ method: 'GET', url: '/api/trace/master-data?vocabulary=readPoints', headers: admin.headers })
    ).json();
    expect(listed.items).toHaveLength(3);
  });

  it('answers POST /api/trace/event-hashes for JSON-LD and XML, matching the GS1 examples', async () => {
    const dir = path.join(CORPUS, 'event-hash/examples');
    for (const [file, type] of [
      ['ReferenceEventHashAlgorithm.jsonld', 'application/ld+json'],
      ['ReferenceEventHashAlgorithm.xml', 'application/xml'],
    ] as const) {
      const res = await t.inject({
        method: 'POST',
        url: '/api/trace/event-hashes',
        headers: { ...entA.headers, 'content-type': type },
        payload: fs.readFileSync(path.join(dir, file), 'utf8'),
      });
      expect(res.statusCode, res.body).toBe(200);
      const expected = fs
        .readFileSync(path.join(dir, 'ReferenceEventHashAlgorithm.hashes'), 'utf8')
        .split('\n')
        .filter(Boolean);
      expect(res.json().hashes).toEqual(expected);
      expect(res.json().prehashes).toHaveLength(expected.length);
    }
    const bad = await t.inject({
      method: 'POST',
      url: '/api/trace/event-hashes',
      headers: entA.headers,
      payload: { epcisBody: {} },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/epcisBody/eventList');
  });
});
