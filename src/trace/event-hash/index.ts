/**
 * CBV 2.0 §8.9 event hash ID (`ni:///sha-256;…?ver=CBV2.0`) for EPCIS 2.0 events in JSON-LD and XML.
 *
 * The pre-hash string follows the algorithm of the GS1 reference implementation
 * (github.com/RalphTro/epcis-event-hash-generator) and is checked against its conformance examples.
 */

import { simplePreHash } from './fast.ts';
import { fieldName, type JsonLdContext, jsonEvent, namespacesOf, readJsonDocument } from './json.ts';
import { eventHash, preHashOf } from './prehash.ts';
import { readXmlDocument } from './xml.ts';

export { EventHashError } from './errors.ts';
export type { JsonLdContext } from './json.ts';
export { eventHash } from './prehash.ts';

/** An EPCIS document to hash: its syntax and its text. */
export type EventHashInput = { contentType: 'json' | 'xml'; body: string };

/** Per-event results, in document order: `hashes[i]` is the SHA-256 event hash ID of `prehashes[i]`. */
export type DocumentEventHashes = { hashes: string[]; prehashes: string[] };

/** Options for hashing a single JSON event. */
export type PrehashOptions = {
  /** Top-level event fields to leave out (CURIEs or `{namespace}local`), as a document's `ignoreFields` lists them. */
  ignoreFields?: readonly string[];
};

/**
 * The event hash IDs and pre-hash strings of every event of an EPCIS 2.0 document
 * (EPCISDocument `epcisBody.eventList` or EPCISQueryDocument `queryResults.resultsBody.eventList`;
 * XML `EPCISBody/EventList` or `resultsBody/EventList`), in document order.
 * @throws EventHashError (with a JSON pointer / XML path) on input that cannot be hashed.
 */
export function eventHashesOfDocument(input: EventHashInput): DocumentEventHashes {
  const { events, ignoreFields } =
    input.contentType === 'json' ? readJsonDocument(input.body) : readXmlDocument(input.body);
  const prehashes = events.map((event) => preHashOf(event, ignoreFields));
  return { hashes: prehashes.map(eventHash), prehashes };
}

/**
 * The pre-hash string of one JSON-LD event (CBV 2.0 §8.9), e.g. for capture, which hashes event by event.
 * @param event the event object as in `epcisBody.eventList`
 * @param context the enclosing document's `@context`: its prefixes name the namespaces of
 *   extension fields (`example:myField` → `{https://ns.example.com/epcis/}myField`)
 * @throws EventHashError (with a JSON pointer into the event) on input that cannot be hashed.
 */
export function prehashOfEvent(event: object, context?: JsonLdContext, options: PrehashOptions = {}): string {
  if (!options.ignoreFields?.length) {
    const simple = simplePreHash(event as Record<string, unknown>);
    if (simple !== undefined) return simple;
  }
  const namespaces = cachedNamespaces(context);
  const hashEvent = jsonEvent(event, namespaces);
  const ignore = new Set((options.ignoreFields ?? []).map((f) => (f.startsWith('{') ? f : fieldName(f, namespaces))));
  return preHashOf(hashEvent, ignore);
}

// Capture hashes every event of a document against the same context: read its prefixes once.
const namespaceCache = new WeakMap<object, ReturnType<typeof namespacesOf>>();
let noContext: ReturnType<typeof namespacesOf> | undefined;

function cachedNamespaces(context: JsonLdContext | undefined): ReturnType<typeof namespacesOf> {
  if (context === undefined || context === null) {
    noContext ??= namespacesOf(context);
    return noContext;
  }
  if (typeof context !== 'object') return namespacesOf(context);
  let namespaces = namespaceCache.get(context);
  if (!namespaces) {
    namespaces = namespacesOf(context);
    namespaceCache.set(context, namespaces);
  }
  return namespaces;
}

/** The event hash ID of one JSON-LD event: `eventHash(prehashOfEvent(event, context, options))`. */
export function eventHashOfEvent(event: object, context?: JsonLdContext, options?: PrehashOptions): string {
  return eventHash(prehashOfEvent(event, context, options));
}
