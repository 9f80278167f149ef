/**
 * What clients see: EPCISQueryDocuments in JSON-LD or XML (EPCIS 2.0 §10, §9), capture jobs as
 * the REST binding describes them. Events are served as captured, with their eventID and recordTime.
 */
import type { Json } from './document.ts';
import type { QueriedEvent } from './query-store.ts';
import type { JobRow } from './store.ts';
import type { CbvXmlFormat } from './vocabulary.ts';
import { EPCIS_CONTEXT, STANDARD_PREFIXES } from './xml-map.ts';
import { eventToXml, queryDocumentXml } from './xml-write.ts';

/** What a query document says about itself. */
export type QueryDocumentMeta = { queryName: string; subscriptionID?: string | undefined; creationDate: string };

const prefixesOf = (e: Pick<QueriedEvent, 'context'>): Record<string, string> =>
  e.context ? (JSON.parse(e.context) as Record<string, string>) : {};

/**
 * An EPCISQueryDocument in JSON-LD. The capturing documents' namespace prefixes are merged into
 * the document's `@context`; an event whose prefix means something else there carries its own.
 */
export function queryDocumentJson(
  events: readonly Pick<QueriedEvent, 'document' | 'context'>[],
  meta: QueryDocumentMeta,
): Json {
  const merged: Record<string, string> = {};
  const list = events.map((e) => {
    const event = JSON.parse(e.document) as Json;
    const prefixes = prefixesOf(e);
    // The document's context never redefines the EPCIS context's own prefixes: other events use them.
    const clash = Object.entries(prefixes).some(([p, ns]) => (merged[p] ?? STANDARD_PREFIXES[p] ?? ns) !== ns);
    if (clash) return { '@context': [prefixes], ...event };
    Object.assign(merged, prefixes);
    return event;
  });
  return {
    '@context': Object.keys(merged).length > 0 ? [EPCIS_CONTEXT, merged] : [EPCIS_CONTEXT],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: meta.creationDate,
    epcisBody: {
      queryResults: {
        queryName: meta.queryName,
        ...(meta.subscriptionID ? { subscriptionID: meta.subscriptionID } : {}),
        resultsBody: { eventList: list },
      },
    },
  };
}

/** An EPCISQueryDocument in XML; CBV values as Web URIs, or URNs (`GS1-CBV-XML-Format: Always_URN`). */
export function queryDocumentXmlOf(
  events: readonly Pick<QueriedEvent, 'document' | 'context'>[],
  meta: QueryDocumentMeta,
  format: CbvXmlFormat,
): string {
  const elements = events.map((e) => {
    const prefixes = new Map(Object.entries({ ...STANDARD_PREFIXES, ...prefixesOf(e) }));
    return eventToXml(JSON.parse(e.document) as Json, prefixes, format);
  });
  return queryDocumentXml(elements, {
    queryName: meta.queryName,
    creationDate: meta.creationDate,
    ...(meta.subscriptionID ? { subscriptionID: meta.subscriptionID } : {}),
  });
}

/** A capture job (openapi.yaml `CaptureJob`), with how many events it stored and found already stored. */
export function presentCaptureJob(row: JobRow) {
  return {
    captureID: row.id,
    createdAt: row.created_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    running: row.running === 1,
    success: row.success === 1,
    captureErrorBehaviour: row.error_behaviour as 'rollback' | 'proceed',
    errors: JSON.parse(row.errors) as unknown[],
    eventCount: Number(row.event_count),
    capturedCount: Number(row.captured_count),
    duplicateCount: Number(row.duplicate_count),
  };
}

/** A top-level resource list (openapi.yaml `UriCollection`, `EventTypeCollection`…). */
export function collection(member: readonly string[]) {
  return { '@context': EPCIS_CONTEXT, type: 'Collection', member };
}
