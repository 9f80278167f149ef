/**
 * Validation of a capture input beyond the JSON Schema: CBV vocabularies (standard terms in any
 * spelling, anything else only as an absolute URI), user extensions only under a declared
 * namespace, time stamps with a time zone, quantities with their unit (EPCIS 2.0 §7, CBV 2.0 §6–§7).
 */
import { canonicalTimestamp } from '../event-hash/values.ts';
import { type CaptureDocument, isObject, type Json } from './document.ts';
import { schemaProblems } from './json-schema.ts';
import { EpcisProblem, type Pointed, validationProblem } from './problems.ts';
import {
  bizSteps,
  bizTransactionTypes,
  dispositions,
  errorReasons,
  isAbsoluteUri,
  sourceDestTypes,
  type Vocabulary,
  vocabularyProblem,
} from './vocabulary.ts';
import { EVENT_FIELDS, SENSOR_METADATA, SENSOR_REPORT, STANDARD_PREFIXES } from './xml-map.ts';

/** Keys of an event that are not extensions. */
const EVENT_KEYS: ReadonlySet<string> = new Set(['type', ...Object.keys(EVENT_FIELDS)]);

const esc = (key: string | number): string =>
  typeof key === 'number'
    ? String(key)
    : key.includes('~') || key.includes('/')
      ? key.replaceAll('~', '~0').replaceAll('/', '~1')
      : key;
const at = (pointer: string, ...keys: (string | number)[]): string => {
  let out = pointer;
  for (const key of keys) out += `/${esc(key)}`;
  return out;
};

const ID_ONLY: ReadonlySet<string> = new Set(['id']);
const NONE: ReadonlySet<string> = new Set();
const DECLARATION_KEYS: ReadonlySet<string> = new Set(['declarationTime', 'reason', 'correctiveEventIDs']);
const SENSOR_ELEMENT_KEYS: ReadonlySet<string> = new Set(['sensorMetadata', 'sensorReport']);
const SENSOR_METADATA_KEYS: ReadonlySet<string> = new Set(Object.keys(SENSOR_METADATA));
const SENSOR_REPORT_KEYS: ReadonlySet<string> = new Set(Object.keys(SENSOR_REPORT));
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

/** Whether a JSON value holds a list directly inside a list (CBV 2.0 §8.9 cannot hash it). */
function nestedList(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => Array.isArray(v) || nestedList(v));
  if (isObject(value)) return Object.values(value).some(nestedList);
  return false;
}

/** Checks one event; `prefixes` are the namespaces in force (document and event `@context`). */
class EventChecker {
  readonly problems: Pointed[] = [];

  constructor(private readonly prefixes: ReadonlyMap<string, string>) {}

  private add(pointer: string, detail: string) {
    this.problems.push({ pointer, detail });
  }

  private vocab(v: Vocabulary, value: unknown, pointer: string) {
    if (typeof value !== 'string') return;
    const problem = vocabularyProblem(v, value);
    if (problem) this.add(pointer, problem);
  }

  /** An extension field's name: `prefix:local` with a declared prefix, or an absolute URI. */
  private extensionKey(key: string, pointer: string) {
    const colon = key.indexOf(':');
    if (colon <= 0) {
      this.add(pointer, `unknown field '${key}': an extension field needs a namespace prefix declared in @context`);
      return;
    }
    const prefix = key.slice(0, colon);
    if (this.prefixes.has(prefix) || key.startsWith('//', colon + 1) || /^urn:/i.test(key)) return;
    this.add(pointer, `the namespace prefix '${prefix}' of '${key}' is not declared in @context`);
  }

  /** Keys of an object that are not standard fields must be namespaced extensions. */
  private extensions(obj: Json, pointer: string, known: ReadonlySet<string>) {
    for (const key of Object.keys(obj)) {
      if (key.startsWith('@') || known.has(key)) continue;
      this.extensionKey(key, at(pointer, key));
      if (nestedList(obj[key]))
        this.add(at(pointer, key), 'a list directly inside a list has no EPCIS form (XML) nor event hash');
    }
  }

  private time(value: unknown, pointer: string) {
    if (typeof value !== 'string') return;
    try {
      canonicalTimestamp(value, pointer);
    } catch {
      this.add(pointer, `'${value}' is not a date-time with a time zone (xsd:dateTimeStamp)`);
    }
  }

  private quantities(list: unknown, pointer: string) {
    if (!Array.isArray(list)) return;
    list.forEach((q, i) => {
      if (!isObject(q)) return;
      if (typeof q.quantity === 'number' && (!Number.isFinite(q.quantity) || q.quantity < 0))
        this.add(at(pointer, i, 'quantity'), 'a quantity is a non-negative number');
      if (q.uom !== undefined && q.quantity === undefined)
        this.add(
          at(pointer, i, 'uom'),
          'uom without a quantity (EPCIS 2.0 §7.3.3.3: omit uom when quantity is omitted)',
        );
    });
  }

  private typedList(list: unknown, pointer: string, v: Vocabulary) {
    if (!Array.isArray(list)) return;
    list.forEach((item, i) => {
      if (isObject(item)) this.vocab(v, item.type, at(pointer, i, 'type'));
    });
  }

  private sensors(list: unknown, pointer: string) {
    if (!Array.isArray(list)) return;
    list.forEach((element, i) => {
      if (!isObject(element)) return;
      const p = at(pointer, i);
      this.extensions(element, p, SENSOR_ELEMENT_KEYS);
      if (isObject(element.sensorMetadata)) {
        const m = element.sensorMetadata;
        this.extensions(m, at(p, 'sensorMetadata'), SENSOR_METADATA_KEYS);
        for (const t of ['time', 'startTime', 'endTime']) this.time(m[t], at(p, 'sensorMetadata', t));
      }
      const reports = Array.isArray(element.sensorReport) ? element.sensorReport : [];
      reports.forEach((r, j) => {
        if (!isObject(r)) return;
        this.extensions(r, at(p, 'sensorReport', j), SENSOR_REPORT_KEYS);
        this.time(r.time, at(p, 'sensorReport', j, 'time'));
      });
    });
  }

  /** Checks an event; pointers are only built for what is there. */
  check(event: Json, pointer: string) {
    this.extensions(event, pointer, EVENT_KEYS);
    for (const t of ['eventTime', 'recordTime'] as const)
      if (typeof event[t] === 'string') this.time(event[t], at(pointer, t));
    if (event.bizStep !== undefined) this.vocab(bizSteps, event.bizStep, at(pointer, 'bizStep'));
    if (event.disposition !== undefined) this.vocab(dispositions, event.disposition, at(pointer, 'disposition'));
    if (isObject(event.persistentDisposition)) {
      for (const key of ['set', 'unset']) {
        const list = event.persistentDisposition[key];
        if (!Array.isArray(list)) continue;
        for (const [i, d] of list.entries()) this.vocab(dispositions, d, at(pointer, 'persistentDisposition', key, i));
      }
    }
    for (const [list, v] of [
      ['bizTransactionList', bizTransactionTypes],
      ['sourceList', sourceDestTypes],
      ['destinationList', sourceDestTypes],
    ] as const)
      if (Array.isArray(event[list])) this.typedList(event[list], at(pointer, list), v);
    for (const list of QUANTITY_LISTS) if (Array.isArray(event[list])) this.quantities(event[list], at(pointer, list));
    for (const where of ['readPoint', 'bizLocation'] as const) {
      const loc = event[where];
      if (isObject(loc)) this.extensions(loc, at(pointer, where), ID_ONLY);
    }
    if (isObject(event.ilmd)) this.extensions(event.ilmd, at(pointer, 'ilmd'), NONE);
    const declaration = event.errorDeclaration;
    if (isObject(declaration)) {
      const p = at(pointer, 'errorDeclaration');
      this.extensions(declaration, p, DECLARATION_KEYS);
      this.time(declaration.declarationTime, at(p, 'declarationTime'));
      this.vocab(errorReasons, declaration.reason, at(p, 'reason'));
    }
    if (Array.isArray(event.sensorElementList)) this.sensors(event.sensorElementList, at(pointer, 'sensorElementList'));
  }
}

/** Master data: vocabulary types and element ids are absolute URIs. */
function masterDataProblems(doc: CaptureDocument): Pointed[] {
  const out: Pointed[] = [];
  for (const { event: vocabulary, pointer } of doc.vocabularies) {
    if (typeof vocabulary.type !== 'string' || !isAbsoluteUri(vocabulary.type))
      out.push({ pointer: at(pointer, 'type'), detail: 'a vocabulary type is an absolute URI' });
    const elements = Array.isArray(vocabulary.vocabularyElementList) ? vocabulary.vocabularyElementList : [];
    elements.forEach((element, i) => {
      const id = isObject(element) ? element.id : undefined;
      if (typeof id !== 'string' || !isAbsoluteUri(id))
        out.push({
          pointer: at(pointer, 'vocabularyElementList', i, 'id'),
          detail: 'an element id is an absolute URI',
        });
    });
  }
  return out;
}

/** The namespaces of a document's events that have no `@context` of their own: one map per document. */
const documentPrefixes = new WeakMap<CaptureDocument, ReadonlyMap<string, string>>();

/** The namespaces in force for an event: the EPCIS context's, the document's, the event's own. */
export function prefixesFor(doc: CaptureDocument, event: Json): ReadonlyMap<string, string> {
  const own = event['@context'] !== undefined && doc.type !== 'event';
  if (!own) {
    const known = documentPrefixes.get(doc);
    if (known) return known;
  }
  const map = new Map(Object.entries(STANDARD_PREFIXES));
  for (const [p, ns] of Object.entries(doc.prefixes)) map.set(p, ns);
  if (own) {
    const entries = isObject(event['@context']) ? [event['@context']] : event['@context'];
    if (Array.isArray(entries))
      for (const entry of entries)
        if (isObject(entry)) for (const [p, ns] of Object.entries(entry)) if (typeof ns === 'string') map.set(p, ns);
  } else documentPrefixes.set(doc, map);
  return map;
}

/**
 * Every problem of a capture input, as JSON pointers into its JSON-LD form (the JSON Schema's
 * first, then the checks above). Empty when the input may be captured.
 */
export function documentProblems(doc: CaptureDocument): Pointed[] {
  const problems = doc.type === 'EPCISMasterDataDocument' ? [] : schemaProblems(doc.json);
  for (const { event, pointer } of doc.events) {
    const checker = new EventChecker(prefixesFor(doc, event));
    checker.check(event, pointer);
    for (const p of checker.problems) if (!problems.some((q) => q.pointer === p.pointer)) problems.push(p);
  }
  problems.push(...masterDataProblems(doc));
  return problems;
}

/** `GS1-Capture-Error-Behaviour`. */
export type ErrorBehaviour = 'rollback' | 'proceed';

/** Most events one capture call takes (advertised as `GS1-EPCIS-Capture-Limit`). */
export const CAPTURE_LIMIT = 10_000;

/** The index of the event a pointer lies in, or -1 for the document itself. */
function eventIndexOf(doc: CaptureDocument, pointer: string): number {
  return doc.events.findIndex((e) => pointer === e.pointer || pointer.startsWith(`${e.pointer}/`));
}

/**
 * Checks a capture input. With `rollback` any problem rejects it whole (400); with `proceed` only
 * problems outside every event do, and the events with problems are returned to be reported.
 * @throws EpcisProblem 400 ValidationException (JSON pointers, or XML paths for XML input), 413
 *   CaptureLimitExceededException.
 */
export function captureValidator(doc: CaptureDocument, behaviour: ErrorBehaviour): Map<number, Pointed[]> {
  const problems = documentProblems(doc);
  const located = problems.map((p) => ({ pointer: doc.locate(p.pointer), detail: p.detail, at: p.pointer }));
  const byEvent = new Map<number, Pointed[]>();
  const documentLevel: Pointed[] = [];
  for (const p of located) {
    const i = doc.type === 'event' ? -1 : eventIndexOf(doc, p.at);
    if (i < 0) documentLevel.push(p);
    else byEvent.set(i, [...(byEvent.get(i) ?? []), { pointer: p.pointer, detail: p.detail }]);
  }
  if (documentLevel.length > 0 || (behaviour === 'rollback' && byEvent.size > 0))
    throw validationProblem(located.map(({ pointer, detail }) => ({ pointer, detail })));
  if (doc.events.length > CAPTURE_LIMIT)
    throw new EpcisProblem(
      413,
      'CaptureLimitExceededException',
      '超出采集上限 Capture limit exceeded',
      `${doc.events.length} events; at most ${CAPTURE_LIMIT} per capture`,
    );
  return byEvent;
}
