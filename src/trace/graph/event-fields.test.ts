import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bizStepOf,
  bizTransactionsOf,
  cbvShortName,
  destinationsOf,
  identifierRowsOf,
  placeOf,
  sourcesOf,
  utcEventTime,
} from './event-fields.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../../shared/conformance/epcis/json');
const firstEvent = (file: string) =>
  JSON.parse(readFileSync(path.join(CORPUS, file), 'utf8')).epcisBody.eventList[0] as Record<string, unknown>;

describe('event fields', () => {
  it('indexes every identifier of a GS1 example transformation, normalised, with its role', () => {
    const rows = identifierRowsOf(firstEvent('Example_9.6.4-TransformationEvent.jsonld'));
    expect(rows.map((r) => [r.role, r.identifier, r.quantity, r.uom])).toEqual([
      ['input', 'https://id.gs1.org/01/04012345111224/21/25', null, null],
      ['input', 'https://id.gs1.org/01/04000001654321/21/99886655', null, null],
      ['output', 'https://id.gs1.org/01/04012345778892/21/25', null, null],
      ['output', 'https://id.gs1.org/01/04012345778892/21/26', null, null],
      ['output', 'https://id.gs1.org/01/04012345778892/21/27', null, null],
      ['output', 'https://id.gs1.org/01/04012345778892/21/28', null, null],
      ['inputEpcClass', 'https://id.gs1.org/01/04012345111118/10/4444', 10, 'KGM'],
      ['inputEpcClass', 'https://id.gs1.org/01/00614141777778/10/987', 30, null],
      ['inputEpcClass', 'https://id.gs1.org/01/04012345666663', 220, null],
    ]);
  });

  it('reads parents, children, sources, destinations and business documents of a GS1 example', () => {
    const event = firstEvent('WithFullCombinationOfFields__aggregation_event_all_possible_fields.jsonld');
    const roles = identifierRowsOf(event).map((r) => r.role);
    expect(roles).toEqual(['parent', 'child', 'child', 'childEpcClass', 'childEpcClass']);
    expect(sourcesOf(event)).toEqual({
      location: 'https://id.gs1.org/414/4012345002256',
      possessing_party: 'https://id.gs1.org/417/4012345002256',
      owning_party: 'https://id.gs1.org/417/4012345002256',
    });
    expect(destinationsOf(event).location).toBe('https://id.gs1.org/414/0614141007776');
    expect(bizTransactionsOf(event)).toEqual([
      { type: 'po', id: 'urn:epc:id:gdti:0614141.00001.1618034' },
      { type: 'pedigree', id: 'urn:epc:id:gsrn:0614141.0000010253' },
    ]);
    expect(placeOf(event)).toBe('https://id.gs1.org/414/0037000007296/254/8202');
    expect(bizStepOf(event)).toBe('receiving');
    expect(utcEventTime(event)).toBe('2013-06-08T14:58:56.591Z');
  });

  it('reads CBV values in every spelling', () => {
    for (const v of [
      'shipping',
      'cbv:BizStep-shipping',
      'https://ref.gs1.org/cbv/BizStep-shipping',
      'urn:epcglobal:cbv:bizstep:shipping',
    ])
      expect(cbvShortName(v, 'BizStep-')).toBe('shipping');
    expect(cbvShortName('urn:epcglobal:cbv:sdt:owning_party', 'SDT-')).toBe('owning_party');
    expect(cbvShortName('https://example.com/steps/smoking', 'BizStep-')).toBe('https://example.com/steps/smoking');
  });
});
