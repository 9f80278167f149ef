import { describe, expect, it } from 'vitest';
import { EPCIS_CONTEXT, presentQueryDocument } from './presenters.ts';
import type { Trace, TracedEvent } from './tracer.ts';

const traced = (
  seq: number,
  prefixes: Record<string, string> | null,
  extra: Record<string, unknown> = {},
): TracedEvent => ({
  seq,
  time: '2026-11-02T00:00:00.000Z',
  type: 'ObjectEvent',
  action: 'OBSERVE',
  ids: [],
  eventId: `urn:uuid:${seq}`,
  document: { type: 'ObjectEvent', eventID: `urn:uuid:${seq}`, ...extra },
  prefixes,
});
const trace = (events: TracedEvent[]): Trace => ({
  direction: 'back',
  start: 'x',
  events,
  reached: new Map(),
  levels: 1,
  lookups: 1,
  truncated: false,
});

describe('EPCISQueryDocument of a trace', () => {
  it('is the EPCIS 2.0 JSON-LD query document with the events as captured', () => {
    const doc = presentQueryDocument(trace([traced(1, null)]), 'traceBack', new Date('2026-11-26T01:00:00Z'));
    expect(doc).toEqual({
      '@context': [EPCIS_CONTEXT],
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: '2026-11-26T01:00:00.000Z',
      epcisBody: {
        queryResults: {
          queryName: 'traceBack',
          resultsBody: { eventList: [{ type: 'ObjectEvent', eventID: 'urn:uuid:1' }] },
        },
      },
    });
  });

  it('declares the extension prefixes the events were captured with; a clashing one stays on its event', () => {
    const doc = presentQueryDocument(
      trace([
        traced(1, { ex: 'https://ns.example.com/epcis/' }, { 'ex:temp': 4 }),
        traced(2, { ex: 'https://ns.example.com/epcis/' }, { 'ex:temp': 5 }),
        traced(3, { ex: 'https://other.example.org/' }, { 'ex:temp': 6 }),
      ]),
      'traceForward',
      new Date(0),
    );
    expect(doc['@context']).toEqual([EPCIS_CONTEXT, { ex: 'https://ns.example.com/epcis/' }]);
    const events = doc.epcisBody.queryResults.resultsBody.eventList;
    expect(events[1]).not.toHaveProperty('@context');
    expect(events[2]).toEqual({
      '@context': { ex: 'https://other.example.org/' },
      type: 'ObjectEvent',
      eventID: 'urn:uuid:3',
      'ex:temp': 6,
    });
  });
});
