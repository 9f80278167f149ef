/**
 * The direct renderer (fast.ts) against the general path (json.ts → prehash.ts): wherever it
 * answers, it must answer the same pre-hash string — on every JSON-LD event of the conformance
 * corpus, and on generated everyday events with the variations JSON allows (spacing, nulls,
 * numbers, bare terms and URIs, single values for lists, missing parts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simplePreHash } from './fast.ts';
import { eventHashOfEvent } from './index.ts';
import { jsonEvent, namespacesOf } from './json.ts';
import { preHashOf } from './prehash.ts';

type Json = Record<string, unknown>;
const CORPUS = path.resolve(import.meta.dirname, '../../../../shared/conformance/epcis');

const general = (event: Json, context?: unknown) => preHashOf(jsonEvent(event, namespacesOf(context)));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'schema' ? [] : jsonFiles(file);
    return /\.(json|jsonld)$/.test(name) ? [file] : [];
  });
}

function eventsOf(doc: unknown): Json[] {
  const body = (doc as { epcisBody?: Json })?.epcisBody;
  const list =
    (body?.eventList as unknown) ??
    ((body?.queryResults as Json | undefined)?.resultsBody as Json | undefined)?.eventList ??
    (body?.event ? [body.event] : []);
  return Array.isArray(list) ? list.filter((e): e is Json => typeof e === 'object' && e !== null) : [];
}

/** A small deterministic PRNG (the same events every run). */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return a / 2 ** 31;
  };
}

function generated(n: number): Json[] {
  const r = random(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const maybe = <T>(v: T, p = 0.5): T | undefined => (r() < p ? v : undefined);
  const spaced = (s: string) => pick([s, ` ${s}`, `${s} `, s]);
  const epc = () =>
    pick([
      `urn:epc:id:sgtin:4012345.011122.${Math.floor(r() * 1000)}`,
      `urn:epc:id:sscc:4012345.${String(Math.floor(r() * 1e10)).padStart(10, '0')}`,
      `https://id.gs1.org/01/04012345111118/21/${Math.floor(r() * 1000)}`,
      'urn:example:thing:1',
      '',
    ]);
  const quantity = () => ({
    epcClass: spaced(pick(['urn:epc:class:lgtin:4012345.012345.998877', 'urn:epc:idpat:sgtin:4012345.012345.*'])),
    ...(r() < 0.8 ? { quantity: pick([200, 12.5, 1.0, 0.00001, '40', '17.50']) } : {}),
    ...(r() < 0.6 ? { uom: pick(['KGM', 'LTR', ' KGM']) } : {}),
    ...(r() < 0.1 ? { uom: null } : {}),
  });
  const typed = (item: string) => ({
    ...(r() < 0.8
      ? {
          type: pick([
            'po',
            'desadv',
            'owning_party',
            'location',
            'urn:epcglobal:cbv:btt:inv',
            'https://ns.example.com/t',
          ]),
        }
      : {}),
    ...(r() < 0.9
      ? {
          [item]: spaced(
            pick(['urn:epc:id:pgln:4012345.00001', 'urn:epcglobal:cbv:bt:4012345000009:1', 'http://x.example/po/1']),
          ),
        }
      : {}),
  });
  const list = <T>(make: () => T) => (r() < 0.15 ? make() : Array.from({ length: Math.floor(r() * 4) }, make));
  return Array.from({ length: n }, () => {
    const event: Json = {
      type: pick(['ObjectEvent', 'AggregationEvent', 'TransformationEvent', 'TransactionEvent', 'AssociationEvent']),
      eventTime: pick([
        '2026-11-01T08:00:00.000Z',
        '2026-11-01T08:00:00+08:00',
        '2026-11-01T08:00:00.12345-03:30',
        ' 2026-11-01T08:00:00Z',
      ]),
      eventTimeZoneOffset: pick(['+08:00', '-03:30', '+00:00']),
      eventID: maybe('ni:///sha-256;abc?ver=CBV2.0', 0.2),
      recordTime: maybe('2026-11-02T00:00:00Z', 0.2),
      action: maybe(pick(['ADD', 'OBSERVE', 'DELETE', ' ADD'])),
      bizStep: maybe(
        pick([
          'shipping',
          'receiving',
          'urn:epcglobal:cbv:bizstep:packing',
          'cbv:BizStep-commissioning',
          'https://ns.example.com/step',
          'not_a_step',
        ]),
      ),
      disposition: maybe(
        pick(['in_transit', 'active', 'urn:epcglobal:cbv:disp:damaged', 'https://ref.gs1.org/cbv/Disp-expired']),
      ),
      readPoint: maybe(
        pick([{ id: 'urn:epc:id:sgln:4012345.00001.0' }, 'urn:epc:id:sgln:4012345.00002.1', { id: '' }, { id: null }]),
      ),
      bizLocation: maybe(
        pick([{ id: 'urn:epc:id:sgln:4012345.00001.0' }, { id: 'https://id.gs1.org/414/4012345000016' }]),
      ),
      parentID: maybe(epc(), 0.2),
      transformationID: maybe('urn:uuid:1f5e1f2a-0d0e-4c1b-8f7a-1b2c3d4e5f60', 0.2),
      epcList: maybe(list(epc)),
      childEPCs: maybe(list(epc), 0.2),
      inputEPCList: maybe(list(epc), 0.2),
      outputEPCList: maybe(list(epc), 0.2),
      quantityList: maybe(list(quantity)),
      childQuantityList: maybe(list(quantity), 0.2),
      inputQuantityList: maybe(list(quantity), 0.2),
      outputQuantityList: maybe(list(quantity), 0.2),
      bizTransactionList: maybe(
        list(() => typed('bizTransaction')),
        0.3,
      ),
      sourceList: maybe(
        list(() => typed('source')),
        0.3,
      ),
      destinationList: maybe(
        list(() => typed('destination')),
        0.3,
      ),
      errorDeclaration: maybe({ declarationTime: '2026-11-03T00:00:00Z', reason: 'incorrect_data' }, 0.1),
      comment: maybe('a note', 0.1),
      'example:extra': maybe('x', 0.1),
    };
    for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
    if (r() < 0.1) event.action = null;
    return event;
  });
}

describe('the direct pre-hash renderer', () => {
  it('agrees with the general path on every JSON-LD event of the conformance corpus', () => {
    let simple = 0;
    let all = 0;
    for (const file of jsonFiles(CORPUS)) {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      const context = (doc as Json)['@context'];
      for (const event of eventsOf(doc)) {
        let expected: string;
        try {
          expected = general(event, context);
        } catch {
          expect(simplePreHash(event), file).toBeUndefined();
          continue;
        }
        all++;
        const fast = simplePreHash(event);
        if (fast === undefined) continue;
        simple++;
        expect(fast, `${file} ${JSON.stringify(event).slice(0, 120)}`).toBe(expected);
      }
    }
    expect(all).toBeGreaterThan(100);
    expect(simple).toBeGreaterThan(30);
  });

  it('agrees with the general path on generated everyday events, and takes most of them', () => {
    const events = generated(3000);
    let simple = 0;
    for (const event of events) {
      const fast = simplePreHash(event);
      if (fast === undefined) continue;
      simple++;
      expect(fast, JSON.stringify(event)).toBe(general(event));
    }
    expect(simple).toBeGreaterThan(1500);
  });

  it('leaves extensions, ILMD, sensors and unusual shapes to the general path', () => {
    const base = {
      type: 'ObjectEvent',
      eventTime: '2026-11-01T00:00:00Z',
      eventTimeZoneOffset: '+00:00',
      action: 'ADD',
    };
    expect(simplePreHash(base)).toBe(general(base));
    for (const extra of [
      { 'example:field': 'x' },
      { ilmd: { 'example:lot': '1' } },
      { sensorElementList: [] },
      { certificationInfo: 'https://cert.example/1' },
      { persistentDisposition: { set: ['completeness_verified'] } },
      { epcList: [{ '@id': 'urn:epc:id:sgtin:1.2.3' }] },
      { quantityList: [{ epcClass: 'urn:x', 'example:q': 1 }] },
      { readPoint: { id: 'urn:x', 'example:sub': 1 } },
      { action: 5 },
      { eventTime: '2026-13-01T00:00:00Z' },
    ])
      expect(simplePreHash({ ...base, ...extra }), JSON.stringify(extra)).toBeUndefined();
    // …and the event's hash is still the general path's.
    const odd = { ...base, eventTime: '2026-11-01T00:00:00+01:00', 'example:field': 'x' };
    expect(eventHashOfEvent(odd, [{ example: 'https://ns.example.com/' }])).toMatch(
      /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/,
    );
  });
});
