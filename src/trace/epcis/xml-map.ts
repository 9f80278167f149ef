/**
 * The EPCIS 2.0 XML ↔ JSON-LD mapping as one table: for every standard field, how its value is
 * written in each syntax (EPCIS 2.0 §9 XML binding, §10 JSON-LD binding). `xml-read.ts` and
 * `xml-write.ts` only walk this table; a field missing here is a user extension.
 */
import {
  bizSteps,
  bizTransactionTypes,
  components,
  dispositions,
  errorReasons,
  measurementTypes,
  sensorExceptions,
  sourceDestTypes,
  type Vocabulary,
} from './vocabulary.ts';

/** How a standard event field is spelled in both syntaxes. */
export type FieldSpec =
  /** `<eventTime>t</eventTime>` ⇄ `"eventTime": "t"` */
  | { kind: 'text' }
  /** `<certificationInfo>` repeated ⇄ a string, or an array when there are several */
  | { kind: 'repeated' }
  /** `<bizStep>urn:…:shipping</bizStep>` ⇄ `"bizStep": "shipping"` */
  | { kind: 'vocab'; vocab: Vocabulary }
  /** `<epcList><epc>…</epc></epcList>` ⇄ `"epcList": […]` */
  | { kind: 'ids'; item: string }
  /** `<quantityList><quantityElement>…` ⇄ `[{ epcClass, quantity, uom }]` */
  | { kind: 'quantities' }
  /** `<readPoint><id>…</id></readPoint>` ⇄ `{ "id": … }` */
  | { kind: 'location' }
  /** `<bizTransaction type="urn:…:po">x</bizTransaction>` ⇄ `{ "type": "po", "bizTransaction": "x" }` */
  | { kind: 'typed'; item: string; vocab: Vocabulary }
  /** `<persistentDisposition><set>…</set><unset>…</unset>` ⇄ `{ set: […], unset: […] }` */
  | { kind: 'persistentDisposition' }
  /** `<sensorElementList><sensorElement><sensorMetadata a="…"/><sensorReport …/>` ⇄ objects */
  | { kind: 'sensors' }
  /** `<errorDeclaration>` ⇄ `{ declarationTime, reason, correctiveEventIDs, …extensions }` */
  | { kind: 'errorDeclaration' }
  /** `<ilmd>` ⇄ an object of extension fields */
  | { kind: 'ilmd' };

const text = { kind: 'text' } as const;
const ids = (item: string) => ({ kind: 'ids', item }) as const;
const quantities = { kind: 'quantities' } as const;

/** Every standard event field (EPCIS 2.0 §7.3–§7.4). */
export const EVENT_FIELDS: Readonly<Record<string, FieldSpec>> = {
  eventTime: text,
  recordTime: text,
  eventTimeZoneOffset: text,
  eventID: text,
  certificationInfo: { kind: 'repeated' },
  errorDeclaration: { kind: 'errorDeclaration' },
  parentID: text,
  epcList: ids('epc'),
  childEPCs: ids('epc'),
  inputEPCList: ids('epc'),
  outputEPCList: ids('epc'),
  quantityList: quantities,
  childQuantityList: quantities,
  inputQuantityList: quantities,
  outputQuantityList: quantities,
  action: text,
  transformationID: text,
  bizStep: { kind: 'vocab', vocab: bizSteps },
  disposition: { kind: 'vocab', vocab: dispositions },
  persistentDisposition: { kind: 'persistentDisposition' },
  readPoint: { kind: 'location' },
  bizLocation: { kind: 'location' },
  bizTransactionList: { kind: 'typed', item: 'bizTransaction', vocab: bizTransactionTypes },
  sourceList: { kind: 'typed', item: 'source', vocab: sourceDestTypes },
  destinationList: { kind: 'typed', item: 'destination', vocab: sourceDestTypes },
  sensorElementList: { kind: 'sensors' },
  ilmd: { kind: 'ilmd' },
};

const head = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo'];
const tail = ['sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'];
const where = ['readPoint', 'bizLocation'];

/**
 * Element order per event type in XML output: the EPCIS 1.2 sequence, the fields EPCIS 1.2 kept in
 * `<extension>` inline, and the EPCIS 2.0 additions after them (as the GS1 XML examples write them).
 */
export const XML_ORDER: Readonly<Record<string, readonly string[]>> = {
  ObjectEvent: [
    ...head,
    'epcList',
    'action',
    'bizStep',
    'disposition',
    ...where,
    'bizTransactionList',
    'quantityList',
    ...tail,
    'ilmd',
  ],
  AggregationEvent: [
    ...head,
    'parentID',
    'childEPCs',
    'action',
    'bizStep',
    'disposition',
    ...where,
    'bizTransactionList',
    'childQuantityList',
    ...tail,
  ],
  AssociationEvent: [
    ...head,
    'parentID',
    'childEPCs',
    'action',
    'bizStep',
    'disposition',
    ...where,
    'bizTransactionList',
    'childQuantityList',
    ...tail,
  ],
  TransactionEvent: [
    ...head,
    'bizTransactionList',
    'parentID',
    'epcList',
    'action',
    'bizStep',
    'disposition',
    ...where,
    'quantityList',
    ...tail,
  ],
  TransformationEvent: [
    ...head,
    'inputEPCList',
    'inputQuantityList',
    'outputEPCList',
    'outputQuantityList',
    'transformationID',
    'bizStep',
    'disposition',
    ...where,
    'bizTransactionList',
    ...tail,
    'ilmd',
  ],
};

/** How a sensor attribute's value is typed in JSON-LD (in XML every attribute is text). */
export type AttributeKind = 'text' | 'number' | 'boolean' | { vocab: Vocabulary };

const number = 'number' as const;

/** `sensorMetadata` attributes (EPCIS 2.0 §7.3.7). */
export const SENSOR_METADATA: Readonly<Record<string, AttributeKind>> = {
  time: 'text',
  startTime: 'text',
  endTime: 'text',
  deviceID: 'text',
  deviceMetadata: 'text',
  rawData: 'text',
  dataProcessingMethod: 'text',
  bizRules: 'text',
};

/** `sensorReport` attributes (EPCIS 2.0 §7.3.7). */
export const SENSOR_REPORT: Readonly<Record<string, AttributeKind>> = {
  type: { vocab: measurementTypes },
  exception: { vocab: sensorExceptions },
  deviceID: 'text',
  deviceMetadata: 'text',
  rawData: 'text',
  dataProcessingMethod: 'text',
  bizRules: 'text',
  time: 'text',
  microorganism: 'text',
  chemicalSubstance: 'text',
  coordinateReferenceSystem: 'text',
  value: number,
  component: { vocab: components },
  stringValue: 'text',
  booleanValue: 'boolean',
  hexBinaryValue: 'text',
  uriValue: 'text',
  minValue: number,
  maxValue: number,
  meanValue: number,
  sDev: number,
  percRank: number,
  percValue: number,
  uom: 'text',
};

/** `errorDeclaration` fields (EPCIS 2.0 §7.3.1.2). */
export const ERROR_DECLARATION = {
  declarationTime: text,
  reason: { kind: 'vocab', vocab: errorReasons },
  correctiveEventIDs: ids('correctiveEventID'),
} as const satisfies Record<string, FieldSpec>;

/** XML namespaces of the EPCIS 2.0 document types. */
export const XML_NS = {
  epcis: 'urn:epcglobal:epcis:xsd:2',
  query: 'urn:epcglobal:epcis-query:xsd:2',
  masterData: 'urn:epcglobal:epcis-masterdata:xsd:2',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
} as const;

/** The EPCIS 2.0 JSON-LD context every document starts with. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** Prefixes the EPCIS 2.0 JSON-LD context declares (schema/epcis-context.jsonld). */
export const STANDARD_PREFIXES: Readonly<Record<string, string>> = {
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: 'https://ref.gs1.org/cbv/',
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: 'https://gs1.org/voc/',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
};
