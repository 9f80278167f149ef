/**
 * A captured EPCIS input in one shape whatever its syntax: the JSON-LD document (XML is mapped by
 * `xml-read.ts`), its events with their JSON pointers, its master data, and how to name a
 * location in the input (the JSON pointer itself, or the XML path it came from).
 */
import { namespacesOf } from '../event-hash/json.ts';
import { validationProblem } from './problems.ts';
import { readXmlDocument, xmlPathOf } from './xml-document.ts';
import { STANDARD_PREFIXES } from './xml-map.ts';

/** A JSON object. */
export type Json = Record<string, unknown>;

/** One event of the input and where it is. */
export type EventEntry = { event: Json; pointer: string };

/** What capture works on. */
export type CaptureDocument = {
  type: 'EPCISDocument' | 'EPCISQueryDocument' | 'EPCISMasterDataDocument' | 'event';
  syntax: 'json' | 'xml';
  /** The JSON-LD form, as the JSON Schema validates it. */
  json: Json;
  /** The document's `@context` (a single event's own, for `POST /events`). */
  context: unknown;
  /** Prefix → namespace the document declares beyond the EPCIS context's own prefixes. */
  prefixes: Record<string, string>;
  events: EventEntry[];
  /** EPCIS master data (`epcisHeader.epcisMasterData.vocabularyList`, or a master data document's body). */
  vocabularies: EventEntry[];
  /** A JSON pointer into `json` as the client should read it: itself, or the XML path for XML input. */
  locate(pointer: string): string;
};

/** Whether a JSON value is an object (not an array, not null). */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function listAt(doc: Json, path: readonly string[]): { list: unknown; pointer: string } {
  let node: unknown = doc;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return { list: node, pointer: `/${path.join('/')}` };
}

const entries = ({ list, pointer }: { list: unknown; pointer: string }): EventEntry[] =>
  Array.isArray(list)
    ? list.flatMap((event, i) => (isObject(event) ? [{ event, pointer: `${pointer}/${i}` }] : []))
    : [];

/** The user prefixes of a JSON-LD context (standard ones left out unless redefined). */
export function userPrefixes(context: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prefix, ns] of namespacesOf(context, new Map())) if (STANDARD_PREFIXES[prefix] !== ns) out[prefix] = ns;
  return out;
}

function fromJson(json: Json, syntax: 'json' | 'xml', locate: (p: string) => string): CaptureDocument {
  const type = json.type;
  const body = isObject(json.epcisBody) ? json.epcisBody : {};
  let events: EventEntry[] = [];
  let vocabularies = entries(listAt(json, ['epcisHeader', 'epcisMasterData', 'vocabularyList']));
  if (type === 'EPCISQueryDocument') {
    events = entries(listAt(json, ['epcisBody', 'queryResults', 'resultsBody', 'eventList']));
  } else if (type === 'EPCISMasterDataDocument') {
    vocabularies = entries(listAt(json, ['epcisBody', 'vocabularyList']));
  } else if (type === 'EPCISDocument' || 'eventList' in body) {
    events = entries(listAt(json, ['epcisBody', 'eventList']));
  }
  const kind = type === 'EPCISQueryDocument' || type === 'EPCISMasterDataDocument' ? type : ('EPCISDocument' as const);
  return {
    type: kind,
    syntax,
    json,
    context: json['@context'],
    prefixes: userPrefixes(json['@context']),
    events,
    vocabularies,
    locate,
  };
}

/**
 * Reads a capture input: a JSON-LD document (already parsed) or XML text.
 * @throws EpcisProblem 400 when it is neither a JSON object nor well-formed EPCIS XML.
 */
export function readCaptureDocument(body: unknown, syntax: 'json' | 'xml'): CaptureDocument {
  if (syntax === 'xml') {
    if (typeof body !== 'string') throw validationProblem([{ pointer: '/', detail: 'expected an XML document' }]);
    const { document, paths } = readXmlDocument(body);
    return fromJson(document, 'xml', (p) => xmlPathOf(paths, p));
  }
  if (!isObject(body)) throw validationProblem([{ pointer: '', detail: 'expected a JSON object (an EPCISDocument)' }]);
  return fromJson(body, 'json', (p) => p);
}

/** Reads the body of `POST /events`: one JSON-LD event with its own `@context`. */
export function readSingleEvent(body: unknown): CaptureDocument {
  if (!isObject(body)) throw validationProblem([{ pointer: '', detail: 'expected a JSON object (an EPCIS event)' }]);
  return {
    type: 'event',
    syntax: 'json',
    json: body,
    context: body['@context'],
    prefixes: userPrefixes(body['@context']),
    events: [{ event: body, pointer: '' }],
    vocabularies: [],
    locate: (p) => p,
  };
}
