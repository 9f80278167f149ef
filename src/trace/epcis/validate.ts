/**
 * Validation of a capture input beyond the JSON Schema: CBV vocabularies (standard terms in any
 * spelling, anything else only as an absolute URI), user extensions only under a declared
 * namespace, time stamps with a time zone, quantities with their unit (EPCIS 2.0 §7, CBV 2.0 §6–§7).
 */
import { canonicalTimestamp } from '../event-hash/values.ts';
import { type CaptureDocument, isObject, type Json } from './document.ts';
import { schemaProblems } from './json-schema.ts';
import type { Pointed } from './problems.ts';
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

const esc = (key: string | number) => String(key).replaceAll('~', '~0').replaceAll('/', '~1');
const at = (pointer: string, ...keys: (string | number)[]) => pointer + keys.map((k) => `/${esc(k)}`).join('');

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
  private extensions(obj: Json, pointer: string, standard: ReadonlySet<string> | Record<string, unknown>) {
    const known = standard instanceof Set ? standard : new Set(Object.keys(standard));
    for (const key of Object.keys(obj)) {
      if (key.startsWith('@') || known.has(key)) continue;
      this.extensionKey(key, at(pointer, key));
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
      this.extensions(element, p, new Set(['sensorMetadata', 'sensorReport']));
      if (isObject(element.sensorMetadata)) {
        const m = element.sensorMetadata;
        this.extensions(m, at(p, 'sensorMetadata'), SENSOR_METADATA);
        for (const t of ['time', 'startTime', 'endTime']) this.time(m[t], at(p, 'sensorMetadata', t));
      }
      const reports = Array.isArray(element.sensorReport) ? element.sensorReport : [];
      reports.forEach((r, j) => {
        if (!isObject(r)) return;
        this.extensions(r, at(p, 'sensorReport', j), SENSOR_REPORT);
        this.time(r.time, at(p, 'sensorReport', j, 'time'));
      });
    });
  }

  check(event: Json, pointer: string) {
    this.extensions(event, pointer, EVENT_KEYS);
    for (const t of ['eventTime', 'recordTime']) this.time(event[t], at(pointer, t));
    this.vocab(bizSteps, event.bizStep, at(pointer, 'bizStep'));
    this.vocab(dispositions, event.disposition, at(pointer, 'disposition'));
    if (isObject(event.persistentDisposition)) {
      for (const key of ['set', 'unset']) {
        const list = event.persistentDisposition[key];
        if (!Array.isArray(list)) continue;
        for (const [i, d] of list.entries()) this.vocab(dispositions, d, at(pointer, 'persistentDisposition', key, i));
      }
    }
    this.typedList(event.bizTransactionList, at(pointer, 'bizTransactionList'), bizTransactionTypes);
    this.typedList(event.sourceList, at(pointer, 'sourceList'), sourceDestTypes);
    this.typedList(event.destinationList, at(pointer, 'destinationList'), sourceDestTypes);
    for (const list of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'])
      this.quantities(event[list], at(pointer, list));
    for (const where of ['readPoint', 'bizLocation']) {
      const loc = event[where];
      if (isObject(loc)) this.extensions(loc, at(pointer, where), new Set(['id']));
    }
    if (isObject(event.ilmd)) this.extensions(event.ilmd, at(pointer, 'ilmd'), new Set());
    const declaration = event.errorDeclaration;
    if (isObject(declaration)) {
      const p = at(pointer, 'errorDeclaration');
      this.extensions(declaration, p, new Set(['declarationTime', 'reason', 'correctiveEventIDs']));
      this.time(declaration.declarationTime, at(p, 'declarationTime'));
      this.vocab(errorReasons, declaration.reason, at(p, 'reason'));
    }
    this.sensors(event.sensorElementList, at(pointer, 'sensorElementList'));
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

/** The namespaces in force for an event: the EPCIS context's, the document's, the event's own. */
export function prefixesFor(doc: CaptureDocument, event: Json): Map<string, string> {
  const map = new Map(Object.entries(STANDARD_PREFIXES));
  for (const [p, ns] of Object.entries(doc.prefixes)) map.set(p, ns);
  if (event['@context'] !== undefined && doc.type !== 'event') {
    const own = isObject(event['@context']) ? [event['@context']] : event['@context'];
    if (Array.isArray(own))
      for (const entry of own)
        if (isObject(entry)) for (const [p, ns] of Object.entries(entry)) if (typeof ns === 'string') map.set(p, ns);
  }
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
