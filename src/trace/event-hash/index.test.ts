import { describe, expect, it } from 'vitest';
import { EventHashError, eventHash, eventHashesOfDocument, eventHashOfEvent, prehashOfEvent } from './index.ts';

/** The ReferenceEventHashAlgorithm example (CBV 2.0 §8.9 illustration 1) and its document context. */
const context = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { gs1: 'https://gs1.org/voc/' },
  { example: 'https://ns.example.com/epcis/' },
];
const event = {
  type: 'ObjectEvent',
  eventTime: '2020-03-04T11:00:30.000+01:00',
  eventTimeZoneOffset: '+01:00',
  recordTime: '2020-03-04T11:00:30.999+01:00',
  epcList: [
    'urn:epc:id:sscc:4012345.0000000333',
    'urn:epc:id:sscc:4012345.0000000111',
    'urn:epc:id:sscc:4012345.0000000222',
  ],
  action: 'OBSERVE',
  bizStep: 'departing',
  readPoint: { id: 'urn:epc:id:sgln:4012345.00011.987' },
  'example:myField1': { 'example:mySubField1': '2', 'example:mySubField2': '5' },
  'example:myField2': '0',
  'example:myField3': { 'example:mySubField3': ['3', '1'] },
};
const expectedPrehash =
  'eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00' +
  'epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/040123450000002225' +
  'epc=https://id.gs1.org/00/040123450000003338action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departing' +
  'readPointid=https://id.gs1.org/414/4012345000115/254/987' +
  '{https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2' +
  '{https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0' +
  '{https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1' +
  '{https://ns.example.com/epcis/}mySubField3=3';
const expectedHash = 'ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0';

const jsonDoc = (events: unknown[]): string =>
  JSON.stringify({ '@context': context, type: 'EPCISDocument', epcisBody: { eventList: events } });

/** The error `fn` throws, asserting it is an {@link EventHashError}. */
function hashError(fn: () => unknown): EventHashError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EventHashError);
    return error as EventHashError;
  }
  throw new Error('expected an EventHashError');
}

describe('eventHash', () => {
  it('is the RFC 6920 ni URI of the SHA-256 of the UTF-8 pre-hash, tagged CBV2.0', () => {
    expect(eventHash('')).toBe(
      'ni:///sha-256;e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855?ver=CBV2.0',
    );
    expect(eventHash(expectedPrehash)).toBe(expectedHash);
  });
});

describe('prehashOfEvent / eventHashOfEvent', () => {
  it('reproduces the standard’s example with the document context', () => {
    expect(prehashOfEvent(event, context)).toBe(expectedPrehash);
    expect(eventHashOfEvent(event, context)).toBe(expectedHash);
    expect(eventHashesOfDocument({ contentType: 'json', body: jsonDoc([event]) }).hashes).toEqual([expectedHash]);
  });

  it('needs the context to name extension namespaces', () => {
    const pre = prehashOfEvent(event);
    expect(pre).toContain('example:myField2=0');
    expect(eventHash(pre)).not.toBe(expectedHash);
  });

  it('does not depend on key order or list order', () => {
    const shuffled = Object.fromEntries(Object.entries(event).reverse());
    shuffled.epcList = [...event.epcList].reverse();
    expect(prehashOfEvent(shuffled, context)).toBe(expectedPrehash);
  });

  it('ignores eventID, recordTime, errorDeclaration, comments and null values', () => {
    const noisy = {
      ...event,
      eventID: 'ni:///sha-256;00?ver=CBV2.0',
      recordTime: '2030-01-01T00:00:00Z',
      errorDeclaration: { declarationTime: '2030-01-01T00:00:00Z', reason: 'incorrect_data' },
      'rdfs:comment': 'a note',
      bizLocation: null,
    };
    expect(prehashOfEvent(noisy, context)).toBe(expectedPrehash);
  });

  it('leaves out fields named in ignoreFields', () => {
    const withCaptureId = { ...event, 'example:captureID': 'cc90bbe4' };
    expect(prehashOfEvent(withCaptureId, context)).not.toBe(expectedPrehash);
    expect(prehashOfEvent(withCaptureId, context, { ignoreFields: ['example:captureID'] })).toBe(expectedPrehash);
    expect(prehashOfEvent(withCaptureId, context, { ignoreFields: ['{https://ns.example.com/epcis/}captureID'] })).toBe(
      expectedPrehash,
    );
  });

  it('expands bare vocabulary and CURIEs like their URI forms', () => {
    const bare = {
      type: 'ObjectEvent',
      eventTime: '2020-01-01T00:00:00Z',
      bizStep: 'receiving',
      disposition: 'in_progress',
    };
    const curie = { ...bare, bizStep: 'cbv:BizStep-receiving', disposition: 'urn:epcglobal:cbv:disp:in_progress' };
    expect(prehashOfEvent(bare)).toBe(prehashOfEvent(curie));
    expect(prehashOfEvent(bare)).toContain('bizStep=https://ref.gs1.org/cbv/BizStep-receiving');
  });

  it('reads a readPoint / bizLocation given as a plain IRI like { id: IRI }', () => {
    const plain = { ...event, readPoint: 'urn:epc:id:sgln:4012345.00011.987' };
    expect(prehashOfEvent(plain, context)).toBe(expectedPrehash);
  });

  it('rejects an event without a type', () => {
    expect(hashError(() => prehashOfEvent({ eventTime: '2020-01-01T00:00:00Z' })).path).toBe('/type');
  });
});

describe('eventHashesOfDocument', () => {
  const xml = (events: string): string =>
    `\uFEFF<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" ` +
    `xmlns:example="https://ns.example.com/epcis/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><EPCISBody><EventList>${events}</EventList></EPCISBody></epcis:EPCISDocument>`;
  const xmlEvent =
    '<ObjectEvent><eventTime>2020-03-04T11:00:30+01:00</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>' +
    '<epcList><epc>urn:epc:id:sscc:4012345.0000000222</epc><epc>urn:epc:id:sscc:4012345.0000000111</epc>' +
    '<epc>urn:epc:id:sscc:4012345.0000000333</epc></epcList><action>OBSERVE</action>' +
    '<bizStep>urn:epcglobal:cbv:bizstep:departing</bizStep><readPoint><id>urn:epc:id:sgln:4012345.00011.987</id></readPoint>' +
    '<example:myField2 xsi:type="xsd:integer">0</example:myField2><example:myField3><example:mySubField3>1</example:mySubField3>' +
    '<example:mySubField3> 3 </example:mySubField3></example:myField3><!-- a comment -->' +
    '<example:myField1><example:mySubField2>5</example:mySubField2><example:mySubField1>2</example:mySubField1>' +
    '</example:myField1></ObjectEvent>';

  it('hashes the XML form of an event like its JSON-LD form (byte order mark, comments, xsi:type ignored)', () => {
    expect(eventHashesOfDocument({ contentType: 'xml', body: xml(xmlEvent) })).toEqual({
      hashes: [expectedHash],
      prehashes: [expectedPrehash],
    });
  });

  it('returns one hash per event in document order', () => {
    const other = { ...event, action: 'ADD' };
    const { hashes } = eventHashesOfDocument({ contentType: 'json', body: jsonDoc([event, other, event]) });
    expect(hashes).toHaveLength(3);
    expect(hashes[0]).toBe(expectedHash);
    expect(hashes[1]).not.toBe(expectedHash);
    expect(hashes[2]).toBe(expectedHash);
  });

  it.each([
    ['{', '', 'not valid JSON'],
    ['[]', '', 'must be a JSON object'],
    ['{"type":"EPCISDocument"}', '/epcisBody', 'no epcisBody'],
    ['{"epcisBody":{}}', '/epcisBody/eventList', 'no event list'],
    ['{"epcisBody":{"eventList":[{"eventTime":"2020-01-01T00:00:00Z"}]}}', '/epcisBody/eventList/0/type', 'no type'],
    [
      '{"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2020-01-01T00:00:00"}]}}',
      '/epcisBody/eventList/0/eventTime',
      'xsd:dateTimeStamp',
    ],
    [
      '{"epcisBody":{"eventList":[{"type":"ObjectEvent","sensorElementList":[{"sensorMetadata":{"time":"bad"}}]}]}}',
      '/epcisBody/eventList/0/sensorElementList/0/sensorMetadata/time',
      'xsd:dateTimeStamp',
    ],
    ['{"epcisBody":{"eventList":[{"type":"ObjectEvent","ex:a/b":[[1]]}]}}', '/epcisBody/eventList/0/ex:a~1b/0', 'list'],
  ])('JSON %s → EventHashError at "%s"', (body, path, message) => {
    const error = hashError(() => eventHashesOfDocument({ contentType: 'json', body }));
    expect(error.path).toBe(path);
    expect(error.message).toContain(message);
  });

  it.each([
    ['<a><b></a>', '', 'not well-formed XML'],
    ['<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>', '/epcis:EPCISDocument', 'no EventList'],
    [
      xml(`${xmlEvent}<ObjectEvent><eventTime>yesterday</eventTime></ObjectEvent>`),
      '/epcis:EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[2]/eventTime[1]',
      'xsd:dateTimeStamp',
    ],
    [
      xml(
        '<ObjectEvent><sensorElementList><sensorElement><sensorMetadata time="2020"/></sensorElement></sensorElementList></ObjectEvent>',
      ),
      '/epcis:EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[1]/sensorElementList[1]/sensorElement[1]/sensorMetadata[1]/@time',
      'xsd:dateTimeStamp',
    ],
  ])('XML %# → EventHashError at "%s"', (body, path, message) => {
    const error = hashError(() => eventHashesOfDocument({ contentType: 'xml', body }));
    expect(error.path).toBe(path);
    expect(error.message).toContain(message);
  });
});
