/**
 * The EPCIS 2.0 query language over REST (§8.2.7.1), table-tested on six events that between them
 * use every filtered field, plus ordering, limits, paging and the top-level resources.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureWorkerOf } from '../../src/trace/epcis/capture-worker.ts';
import { toCanonicalDigitalLink } from '../../src/trace/event-hash/digital-link.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ns.example.com/epcis/' }];
const A1 = 'urn:epc:id:sgtin:0614141.107346.2017';
const A2 = 'urn:epc:id:sgtin:0614141.107346.2018';
const A1_DL = 'https://id.gs1.org/01/10614141073464/21/2017';
const B1 = 'urn:epc:id:sgtin:0614141.107399.1';
const S1 = 'urn:epc:id:sscc:0614141.1234567890';
const LOT1 = 'urn:epc:class:lgtin:4012345.012345.LOT1';
const LOT2 = 'urn:epc:class:lgtin:4012345.012345.LOT2';
const L1 = 'urn:epc:id:sgln:0614141.00001.0';
const L2 = 'urn:epc:id:sgln:0614141.00002.0';
const L3 = 'urn:epc:id:sgln:0614141.00003.0';
const RP1 = 'urn:epc:id:sgln:0614141.00001.1';
const offset = '+08:00';

/** Six events, E1…E6, one day apart from 2026-01-01T00:00Z. */
const events: Record<string, Record<string, unknown>> = {
  E1: {
    type: 'ObjectEvent',
    eventID: 'urn:uuid:e1',
    eventTime: '2026-01-01T08:00:00+08:00',
    eventTimeZoneOffset: offset,
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    epcList: [A1, A2],
    quantityList: [{ epcClass: LOT1, quantity: 10, uom: 'KGM' }],
    readPoint: { id: RP1 },
    bizLocation: { id: L1 },
    ilmd: { 'ex:lotNumber': 'LOT1' },
    'ex:temperatureC': 4.5,
  },
  E2: {
    type: 'ObjectEvent',
    eventID: 'urn:uuid:e2',
    eventTime: '2026-01-02T00:00:00Z',
    eventTimeZoneOffset: offset,
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    epcList: [A1],
    bizLocation: { id: L1 },
    persistentDisposition: { set: ['completeness_verified'] },
    sensorElementList: [
      {
        sensorMetadata: { time: '2026-01-02T00:00:00Z', deviceID: 'urn:epc:id:giai:4000001.111' },
        sensorReport: [{ type: 'Temperature', value: 8, minValue: 2, maxValue: 12, uom: 'CEL' }],
      },
    ],
  },
  E3: {
    type: 'AggregationEvent',
    eventID: 'urn:uuid:e3',
    eventTime: '2026-01-03T00:00:00Z',
    eventTimeZoneOffset: offset,
    action: 'ADD',
    bizStep: 'packing',
    parentID: S1,
    childEPCs: [A1, A2],
    childQuantityList: [{ epcClass: LOT1, quantity: 5, uom: 'KGM' }],
    bizLocation: { id: L2 },
  },
  E4: {
    type: 'TransformationEvent',
    eventID: 'urn:uuid:e4',
    eventTime: '2026-01-04T00:00:00Z',
    eventTimeZoneOffset: offset,
    inputEPCList: [A2],
    inputQuantityList: [{ epcClass: LOT1, quantity: 20, uom: 'KGM' }],
    outputEPCList: [B1],
    outputQuantityList: [{ epcClass: LOT2, quantity: 18, uom: 'KGM' }],
    transformationID: 'urn:epc:id:gdti:0614141.12345.1',
    disposition: 'in_progress',
    bizLocation: { id: L3 },
  },
  E5: {
    type: 'TransactionEvent',
    eventID: 'urn:uuid:e5',
    eventTime: '2026-01-05T00:00:00Z',
    eventTimeZoneOffset: offset,
    action: 'DELETE',
    bizStep: 'receiving',
    parentID: S1,
    epcList: [A2],
    bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO1' }],
    errorDeclaration: {
      declarationTime: '2026-01-06T00:00:00Z',
      reason: 'incorrect_data',
      correctiveEventIDs: ['urn:uuid:c1'],
    },
  },
  E6: {
    type: 'AssociationEvent',
    eventID: 'urn:uuid:e6',
    eventTime: '2026-01-06T00:00:00Z',
    eventTimeZoneOffset: offset,
    action: 'ADD',
    bizStep: 'assembling',
    parentID: 'urn:epc:id:grai:4012345.55555.987',
    childEPCs: ['urn:epc:id:giai:4000001.12345'],
    sensorElementList: [{ sensorReport: [{ exception: 'ALARM_CONDITION', booleanValue: true, stringValue: 'ok' }] }],
  },
};

const enc = encodeURIComponent;

/** [query string, the events it must return (any order)]. */
const table: Array<[string, string[]]> = [
  ['eventType=ObjectEvent', ['E1', 'E2']],
  ['eventType=AggregationEvent|TransformationEvent', ['E3', 'E4']],
  ['GE_eventTime=2026-01-03T00:00:00Z', ['E3', 'E4', 'E5', 'E6']],
  [`GE_eventTime=${enc('2026-01-03T08:00:00+08:00')}`, ['E3', 'E4', 'E5', 'E6']],
  ['LT_eventTime=2026-01-03T00:00:00Z', ['E1', 'E2']],
  ['GE_recordTime=2026-11-26T02:00:00Z', ['E4', 'E5', 'E6']],
  ['LT_recordTime=2026-11-26T02:00:00Z', ['E1', 'E2', 'E3']],
  ['EQ_action=ADD', ['E1', 'E3', 'E6']],
  ['EQ_action=ADD|DELETE', ['E1', 'E3', 'E5', 'E6']],
  ['EQ_bizStep=shipping', ['E2']],
  [`EQ_bizStep=${enc('https://ref.gs1.org/cbv/BizStep-shipping')}|packing`, ['E2', 'E3']],
  [`EQ_bizStep=${enc('urn:epcglobal:cbv:bizstep:receiving')}`, ['E5']],
  ['EQ_disposition=in_transit', ['E2']],
  ['EQ_persistentDisposition_set=completeness_verified', ['E2']],
  [`EQ_readPoint=${enc(RP1)}`, ['E1']],
  [`EQ_bizLocation=${enc(L1)}`, ['E1', 'E2']],
  [`EQ_bizLocation=${enc(toCanonicalDigitalLink(L1) as string)}`, ['E1', 'E2']],
  [`WD_bizLocation=${enc(L1)}`, ['E1', 'E2', 'E3']],
  [`EQ_transformationID=${enc('urn:epc:id:gdti:0614141.12345.1')}`, ['E4']],
  [`MATCH_epc=${enc(A1)}`, ['E1', 'E2', 'E3']],
  [`MATCH_epc=${enc(A1_DL)}`, ['E1', 'E2', 'E3']],
  [`MATCH_epc=${enc('urn:epc:idpat:sgtin:0614141.107346.*')}`, ['E1', 'E2', 'E3', 'E5']],
  [`MATCH_parentID=${enc(S1)}`, ['E3', 'E5']],
  [`MATCH_inputEPC=${enc(A2)}`, ['E4']],
  [`MATCH_outputEPC=${enc(B1)}`, ['E4']],
  [`MATCH_anyEPC=${enc(A2)}`, ['E1', 'E3', 'E4', 'E5']],
  [`MATCH_anyEPC=${enc(S1)}`, ['E3', 'E5']],
  [`MATCH_epcClass=${enc(LOT1)}`, ['E1', 'E3']],
  [`MATCH_inputEPCClass=${enc(LOT1)}`, ['E4']],
  [`MATCH_outputEPCClass=${enc(LOT2)}`, ['E4']],
  [`MATCH_anyEPCClass=${enc(LOT1)}`, ['E1', 'E3', 'E4']],
  [`MATCH_anyEPCClass=${enc('urn:epc:idpat:sgtin:4012345.012345.*')}`, ['E1', 'E3', 'E4']],
  ['EQ_quantity=10', ['E1']],
  ['GT_quantity=15', ['E4']],
  ['GE_quantity=18', ['E4']],
  ['LT_quantity=6', ['E3']],
  ['LE_quantity=5', ['E3']],
  ['EQ_quantity_KGM=10', ['E1']],
  ['EQ_quantity_LTR=10', []],
  [`EQ_eventID=${enc('urn:uuid:e5')}|${enc('urn:uuid:e1')}`, ['E1', 'E5']],
  ['EXISTS_errorDeclaration=true', ['E5']],
  ['GE_errorDeclarationTime=2026-01-06T00:00:00Z', ['E5']],
  ['LT_errorDeclarationTime=2026-01-06T00:00:00Z', []],
  ['EQ_errorReason=incorrect_data', ['E5']],
  [`EQ_correctiveEventID=${enc('urn:uuid:c1')}`, ['E5']],
  ['GT_maxValue_CEL=10', ['E2']],
  ['LT_minValue_CEL=1', []],
  ['EQ_value_CEL=8', ['E2']],
  ['GE_time=2026-01-02T00:00:00Z', ['E2']],
  ['EQ_type=Temperature', ['E2']],
  [`EQ_deviceID=${enc('urn:epc:id:giai:4000001.111')}`, ['E2']],
  ['EQ_booleanValue=true', ['E6']],
  ['EQ_stringValue=ok', ['E6']],
  ['EXISTS_sensorElementList=true', ['E2', 'E6']],
  ['EQ_ex:temperatureC=4.5', ['E1']],
  ['GT_ex:temperatureC=4', ['E1']],
  ['EXISTS_ex:temperatureC=true', ['E1']],
  ['EQ_ILMD_ex:lotNumber=LOT1', ['E1']],
  ['EQ_action=ADD&EQ_bizStep=packing', ['E3']],
];

describe(`EPCIS query parameters (${engineUnderTest})`, () => {
  let t: TestApp;
  let admin: TestUser;
  const ids = new Map(Object.entries(events).map(([name, e]) => [String(e.eventID), name]));

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.user('admin');
    // L2 lies within L1 (master data hierarchy, EPCIS 2.0 §6.5), for WD_bizLocation.
    const md = await t.inject({
      method: 'PUT',
      url: '/api/trace/master-data/locations',
      headers: admin.headers,
      payload: { id: L1, name: '一号仓', children: [L2] },
    });
    expect(md.statusCode, md.body).toBe(200);
    const capture = async (names: string[]) => {
      const res = await t.inject({
        method: 'POST',
        url: '/epcis/capture',
        headers: admin.headers,
        payload: {
          '@context': ctx,
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: '2026-11-26T00:00:00Z',
          epcisBody: { eventList: names.map((n) => events[n]) },
        },
      });
      expect(res.statusCode, res.body).toBe(202);
      await captureWorkerOf(t.ctx).drain();
      const job = await t.inject({ method: 'GET', url: res.headers.location as string, headers: admin.headers });
      expect(job.json().success, job.body).toBe(true);
    };
    await capture(['E1', 'E2', 'E3']);
    t.clock.set('2026-11-26T02:00:00.000Z');
    await capture(['E4', 'E5', 'E6']);
  });
  afterAll(() => t.stop());

  const query = async (qs: string, headers: Record<string, string> = {}) =>
    t.inject({
      method: 'GET',
      url: `/epcis/events?${qs}`,
      headers: { ...admin.headers, 'GS1-Extensions': 'ex=https://ns.example.com/epcis/', ...headers },
    });
  const names = (body: { epcisBody: { queryResults: { resultsBody: { eventList: { eventID: string }[] } } } }) =>
    body.epcisBody.queryResults.resultsBody.eventList.map((e) => ids.get(e.eventID) ?? e.eventID);

  it.each(table)('%s → %j', async (qs, expected) => {
    const res = await query(qs);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
    expect(res.headers['gs1-cbv-version']).toBe('2.0.0');
    expect(names(res.json()).sort()).toEqual([...expected].sort());
  });

  it('orders by event time either way, and limits the count', async () => {
    expect(names((await query('orderBy=eventTime&orderDirection=ASC')).json())).toEqual([
      'E1',
      'E2',
      'E3',
      'E4',
      'E5',
      'E6',
    ]);
    expect(names((await query('orderBy=eventTime')).json())).toEqual(['E6', 'E5', 'E4', 'E3', 'E2', 'E1']);
    expect(names((await query('orderBy=eventTime&orderDirection=ASC&eventCountLimit=2')).json())).toEqual(['E1', 'E2']);
    expect(names((await query('eventType=ObjectEvent&maxEventCount=2')).json()).sort()).toEqual(['E1', 'E2']);
    const tooMany = await query('eventType=ObjectEvent&maxEventCount=1');
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().type).toBe('epcisException:QueryTooLargeException');
  });

  it('pages with perPage and the Link header’s nextPageToken, in order, each event once', async () => {
    for (const [order, expected] of [
      ['', ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
      ['orderBy=eventTime&orderDirection=DESC&', ['E6', 'E5', 'E4', 'E3', 'E2', 'E1']],
      ['orderBy=eventTime&orderDirection=ASC&eventCountLimit=5&', ['E1', 'E2', 'E3', 'E4', 'E5']],
    ] as const) {
      const seen: string[] = [];
      let url: string | undefined = `/epcis/events?${order}perPage=2`;
      let pages = 0;
      while (url) {
        const res = await t.inject({ method: 'GET', url, headers: admin.headers });
        expect(res.statusCode, res.body).toBe(200);
        seen.push(...names(res.json()));
        url = /<([^>]+)>; rel="next"/.exec(String(res.headers.link ?? ''))?.[1];
        pages++;
      }
      expect(seen).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 2));
    }
  });

  it.each([
    ['unknown parameter', 'EQ_color=red'],
    ['bad action', 'EQ_action=FOO'],
    ['bad time', 'GE_eventTime=yesterday'],
    ['bad order', 'orderBy=bizStep'],
    ['bad direction', 'orderBy=eventTime&orderDirection=UP'],
    ['both limits', 'eventCountLimit=1&maxEventCount=1'],
    ['undeclared prefix', 'EQ_zz:field=1'],
    ['token of another query', 'EQ_action=ADD&nextPageToken=WzEsMSwxLCJ4Il0'],
  ])('refuses %s with a QueryParameterException', async (_what, qs) => {
    const res = await query(qs);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().type).toBe('epcisException:QueryParameterException');
    expect(res.json().errors[0].pointer).toMatch(/^\/query\//);
  });

  it('serves the top-level resources and their events', async () => {
    const get = (url: string) => t.inject({ method: 'GET', url, headers: admin.headers });
    expect((await get('/epcis')).json().member).toEqual(
      expect.arrayContaining(['events', 'eventTypes', 'epcs', 'capture', 'queries']),
    );
    expect((await get('/epcis/eventTypes')).json()).toMatchObject({
      type: 'Collection',
      member: ['AggregationEvent', 'AssociationEvent', 'ObjectEvent', 'TransactionEvent', 'TransformationEvent'],
    });
    expect((await get('/epcis/bizSteps')).json().member).toEqual([
      'assembling',
      'commissioning',
      'packing',
      'receiving',
      'shipping',
    ]);
    expect((await get('/epcis/dispositions')).json().member).toEqual(['active', 'in_progress', 'in_transit']);
    expect((await get('/epcis/bizLocations')).json().member).toEqual([L1, L2, L3]);
    expect((await get('/epcis/readPoints')).json().member).toEqual([RP1]);
    const epcs = await get('/epcis/epcs?perPage=2');
    expect(epcs.json().member).toHaveLength(2);
    expect(epcs.headers.link).toMatch(/rel="next"/);
    expect((await get(`/epcis/bizSteps/shipping`)).json().member).toEqual(['events']);
    expect(names((await get('/epcis/bizSteps/shipping/events')).json())).toEqual(['E2']);
    expect(names((await get('/epcis/eventTypes/ObjectEvent/events?EQ_action=ADD')).json())).toEqual(['E1']);
    expect(names((await get(`/epcis/epcs/${enc(A1)}/events`)).json()).sort()).toEqual(['E1', 'E2', 'E3']);
    expect(names((await get(`/epcis/bizLocations/${enc(L1)}/events`)).json()).sort()).toEqual(['E1', 'E2']);
    const missing = await get('/epcis/bizSteps/destroying');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().type).toBe('epcisException:NoSuchResourceException');
    const one = await get(`/epcis/events/${enc('urn:uuid:e3')}`);
    expect(names(one.json())).toEqual(['E3']);
    expect((await get(`/epcis/events/${enc('urn:uuid:none')}`)).statusCode).toBe(404);
  });

  it('pages the resource lists and the capture jobs through their Link headers, each item once', async () => {
    const get = (url: string) => t.inject({ method: 'GET', url, headers: admin.headers });
    /** Every item of a list, one page of `perPage` at a time, following `rel="next"`. */
    const walk = async (first: string, itemsOf: (body: unknown) => unknown[]) => {
      const items: unknown[] = [];
      let url: string | undefined = first;
      let pages = 0;
      while (url) {
        const res = await get(url);
        expect(res.statusCode).toBe(200);
        items.push(...itemsOf(res.json()));
        pages += 1;
        url = /<([^>]+)>; rel="next"/.exec(String(res.headers.link ?? ''))?.[1];
      }
      return { items, pages };
    };
    const members = (body: unknown) => (body as { member: unknown[] }).member;
    const all = members((await get('/epcis/epcs?perPage=1000')).json());
    const epcs = await walk('/epcis/epcs?perPage=2', members);
    expect(epcs.items).toEqual(all);
    // One row more than a page is read, so a list that ends on a full page has no empty page after it.
    expect(epcs.pages).toBe(Math.ceil(all.length / 2));
    const ids = (body: unknown) => (body as { captureID: string }[]).map((j) => j.captureID);
    const jobs = ids((await get('/epcis/capture?perPage=1000')).json());
    expect(jobs.length).toBeGreaterThan(1);
    expect((await walk('/epcis/capture?perPage=1', ids)).items).toEqual(jobs);
  });

  it('answers XML on request, CBV values as Web URIs or URNs, and refuses what it cannot serve', async () => {
    const xml = await query('EQ_bizStep=shipping', { accept: 'application/xml' });
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.body).toContain('<bizStep>https://ref.gs1.org/cbv/BizStep-shipping</bizStep>');
    const urn = await query('EQ_bizStep=shipping', { accept: 'application/xml', 'GS1-CBV-XML-Format': 'Always_URN' });
    expect(urn.body).toContain('<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>');
    const html = await query('EQ_bizStep=shipping', { accept: 'text/html' });
    expect(html.statusCode).toBe(406);
    expect(html.json().type).toBe('epcisException:NotAcceptableException');
  });
});
