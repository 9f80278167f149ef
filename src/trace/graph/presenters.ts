/**
 * What the trace routes answer: the events as an EPCIS 2.0 EPCISQueryDocument (JSON-LD, each event
 * as captured, field for field) beside the graph. Events are already limited to what the caller may
 * see (policy.ts → store.ts); nothing here carries personal data.
 */
import type { Direction } from './rules.ts';
import type { EpcisQueryDocument, TraceGraph, TraceView } from './schema.ts';
import type { Trace } from './tracer.ts';

/** The EPCIS 2.0 JSON-LD context every EPCIS document names first. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/**
 * An EPCISQueryDocument of a trace's events. The user prefixes of the documents they were captured
 * in are merged into the document's `@context`; an event whose prefix clashes with another's keeps
 * its own `@context` (JSON-LD 1.1 §4.1: an embedded context applies to that node).
 */
export function presentQueryDocument(trace: Trace, queryName: string, now: Date): EpcisQueryDocument {
  const prefixes: Record<string, string> = {};
  const eventList = trace.events.map((event) => {
    const own = event.prefixes ?? {};
    const clash = Object.entries(own).some(([p, ns]) => prefixes[p] !== undefined && prefixes[p] !== ns);
    if (clash) return { '@context': own, ...event.document };
    Object.assign(prefixes, own);
    return event.document;
  });
  return {
    '@context': Object.keys(prefixes).length > 0 ? [EPCIS_CONTEXT, prefixes] : [EPCIS_CONTEXT],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: now.toISOString(),
    epcisBody: { queryResults: { queryName, resultsBody: { eventList } } },
  };
}

/** The answer of `GET /api/trace/back` and `/forward`. */
export function presentTrace(trace: Trace, direction: Direction, graph: TraceGraph, now: Date): TraceView {
  return {
    identifier: trace.start,
    direction,
    document: presentQueryDocument(trace, direction === 'back' ? 'traceBack' : 'traceForward', now),
    graph,
    stats: {
      events: trace.events.length,
      identifiers: trace.reached.size,
      levels: trace.levels,
      truncated: trace.truncated,
    },
  };
}
