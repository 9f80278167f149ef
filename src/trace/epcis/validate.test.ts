import { describe, expect, it } from 'vitest';
import { readCaptureDocument } from './document.ts';
import { documentProblems } from './validate.ts';

const document = (event: Record<string, unknown>, context: unknown[] = []) =>
  readCaptureDocument(
    {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', ...context],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-11-26T00:00:00Z',
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventTime: '2026-11-26T08:00:00+08:00',
            eventTimeZoneOffset: '+08:00',
            action: 'OBSERVE',
            epcList: [],
            ...event,
          },
        ],
      },
    },
    'json',
  );
const problems = (event: Record<string, unknown>, context: unknown[] = []) =>
  documentProblems(document(event, context));

describe('validation beyond the JSON Schema', () => {
  it('accepts a plain event', () => {
    expect(problems({ bizStep: 'shipping', 'ex:note': 'x' }, [{ ex: 'https://ns.example.com/' }])).toEqual([]);
  });

  it.each([
    [{ 'zz:note': 'x' }, '/epcisBody/eventList/0/zz:note', /prefix 'zz'/],
    [{ ilmd: { 'zz:lot': '1' } }, '/epcisBody/eventList/0/ilmd/zz:lot', /prefix 'zz'/],
    [{ bizStep: 'https://ref.gs1.org/cbv/BizStep-dancing' }, '/epcisBody/eventList/0/bizStep', /not a standard/],
    [
      { persistentDisposition: { set: ['urn:epcglobal:cbv:disp:sleepy'] } },
      '/epcisBody/eventList/0/persistentDisposition/set/0',
      /standard/,
    ],
    [
      { quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.L1', uom: 'KGM' }] },
      '/epcisBody/eventList/0/quantityList/0/uom',
      /uom without a quantity/,
    ],
    [
      { quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.L1', quantity: -3 }] },
      '/epcisBody/eventList/0/quantityList/0/quantity',
      /non-negative/,
    ],
    [
      { errorDeclaration: { declarationTime: '2026-11-26T08:00:00+08:00', reason: 'urn:epcglobal:cbv:er:oops' } },
      '/epcisBody/eventList/0/errorDeclaration/reason',
      /standard/,
    ],
    [
      { sourceList: [{ type: 'cbv:SDT-nowhere', source: 'urn:epc:id:pgln:4012345.00225' }] },
      '/epcisBody/eventList/0/sourceList/0/type',
      /not a standard/,
    ],
  ])('refuses %j at its pointer', (event, pointer, message) => {
    const found = problems(event).find((p) => p.pointer === pointer);
    expect(found?.detail, JSON.stringify(problems(event))).toMatch(message);
  });

  it('checks the JSON Schema first (dates, required fields)', () => {
    expect(problems({ eventTime: '2026-13-40T00:00:00Z' })).toContainEqual({
      pointer: '/epcisBody/eventList/0/eventTime',
      detail: expect.stringMatching(/date-time/),
    });
    expect(
      problems({ action: undefined })
        .map((p) => p.detail)
        .join(),
    ).toMatch(/action/);
  });
});
