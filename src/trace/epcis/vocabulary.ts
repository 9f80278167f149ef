/**
 * CBV 2.0 vocabularies as the EPCIS 2.0 bindings spell them: JSON-LD uses bare words for standard
 * values (`shipping`), XML uses URNs (`urn:epcglobal:cbv:bizstep:shipping`) or Web URIs
 * (`https://ref.gs1.org/cbv/BizStep-shipping`); custom values are absolute URIs in both (CBV 2.0 §6–§7).
 */
import {
  type BareVocabulary,
  BIZ_STEP,
  BIZ_TRANSACTION_TYPE,
  COMPONENT,
  DISPOSITION,
  ERROR_REASON,
  MEASUREMENT_TYPE,
  SENSOR_EXCEPTION,
  SOURCE_DESTINATION_TYPE,
} from '../event-hash/vocab.ts';

/** A standard vocabulary: its terms and every spelling of a standard value's prefix. */
export type Vocabulary = {
  /** What the value is, for messages. */
  readonly label: string;
  readonly terms: ReadonlySet<string>;
  /** The Web URI prefix (`https://ref.gs1.org/cbv/BizStep-`); also the XML output form. */
  readonly web: string;
  /** The EPCIS 1.x URN prefix (`urn:epcglobal:cbv:bizstep:`), when there is one. */
  readonly urn?: string;
  /** The CURIE prefix (`cbv:BizStep-`, `gs1:`). */
  readonly curie: string;
};

const vocabulary = (label: string, bare: BareVocabulary, urn: string | undefined, curie: string): Vocabulary => ({
  label,
  terms: bare.terms,
  web: bare.prefix,
  ...(urn ? { urn } : {}),
  curie,
});

/** CBV 2.0 §7.1 business steps. */
export const bizSteps = vocabulary('business step', BIZ_STEP, 'urn:epcglobal:cbv:bizstep:', 'cbv:BizStep-');
/** CBV 2.0 §7.2 dispositions. */
export const dispositions = vocabulary('disposition', DISPOSITION, 'urn:epcglobal:cbv:disp:', 'cbv:Disp-');
/** CBV 2.0 §7.3 business transaction types. */
export const bizTransactionTypes = vocabulary(
  'business transaction type',
  BIZ_TRANSACTION_TYPE,
  'urn:epcglobal:cbv:btt:',
  'cbv:BTT-',
);
/** CBV 2.0 §7.4 source/destination types. */
export const sourceDestTypes = vocabulary(
  'source/destination type',
  SOURCE_DESTINATION_TYPE,
  'urn:epcglobal:cbv:sdt:',
  'cbv:SDT-',
);
/** CBV 2.0 §7.5 error reasons. */
export const errorReasons = vocabulary('error reason', ERROR_REASON, 'urn:epcglobal:cbv:er:', 'cbv:ER-');
/** GS1 Web vocabulary measurement types (sensor reports). */
export const measurementTypes = vocabulary('measurement type', MEASUREMENT_TYPE, undefined, 'gs1:');
/** GS1 Web vocabulary sensor alert types. */
export const sensorExceptions = vocabulary('sensor alert type', SENSOR_EXCEPTION, undefined, 'gs1:');
/** CBV 2.0 §7.7 sensor reading components. */
export const components = vocabulary('component', COMPONENT, undefined, 'cbv:Comp-');

/** An absolute URI (RFC 3986 scheme + ':' + something); CURIEs with a declared prefix look the same. */
export const isAbsoluteUri = (value: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value);

/** The term of a value in any standard spelling (`shipping`, URN, Web URI, CURIE), if it names one. */
export function termOf(v: Vocabulary, value: string): string | undefined {
  const term = v.terms.has(value)
    ? value
    : [v.urn, v.web, v.curie, v.web.replace(/^https:/, 'http:')]
        .filter((p): p is string => p !== undefined && value.startsWith(p))
        .map((p) => value.slice(p.length))[0];
  return term !== undefined && v.terms.has(term) ? term : undefined;
}

/** Whether a value is spelled in the vocabulary's own namespace (then it must name a standard term). */
function inNamespace(v: Vocabulary, value: string): boolean {
  return [v.urn, v.web, v.curie].some((p) => p !== undefined && value.startsWith(p));
}

/**
 * Why a value is not acceptable for a CBV field, or `undefined` when it is: a standard term in any
 * spelling, or any other absolute URI outside the vocabulary's own namespace (CBV 2.0 §6.3:
 * "user vocabulary … SHALL be an absolute URI").
 */
export function vocabularyProblem(v: Vocabulary, value: string): string | undefined {
  if (termOf(v, value) !== undefined) return undefined;
  if (inNamespace(v, value)) return `'${value}' is not a standard CBV 2.0 ${v.label}`;
  if (isAbsoluteUri(value)) return undefined;
  const some = [...v.terms].slice(0, 6).join(', ');
  return `'${value}' is neither a standard CBV 2.0 ${v.label} (${some}, …) nor an absolute URI`;
}

/** The JSON-LD form: the bare term for a standard value, else the value as given. */
export function toBare(v: Vocabulary, value: string): string {
  return termOf(v, value) ?? value;
}

/** How CBV values are spelled in XML output (the `GS1-CBV-XML-Format` header). */
export type CbvXmlFormat = 'web' | 'urn';

/** The XML form: a standard term as its Web URI (or URN when asked and defined), else as given. */
export function toXml(v: Vocabulary, value: string, format: CbvXmlFormat = 'web'): string {
  const term = termOf(v, value);
  if (term === undefined) return value;
  return format === 'urn' && v.urn ? v.urn + term : v.web + term;
}
