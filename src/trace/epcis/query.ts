/**
 * The EPCIS 2.0 query language (§8.2.7.1 SimpleEventQuery; REST query string and named-query
 * JSON): a registry of small parameter handlers, each turning one parameter into conditions the
 * store applies (`query-store.ts`). Unknown parameters and bad values are QueryParameterExceptions.
 */

import type { Executor } from '../../kernel/db/unit-of-work.ts';
import { epcUriToDigitalLink } from '../event-hash/digital-link.ts';
import { fieldName } from '../event-hash/json.ts';
import { canonicalTimestamp, formatNumber } from '../event-hash/values.ts';
import { normaliseIdentifier } from './extract.ts';
import { VTYPE, withDescendants } from './master-data.ts';
import { queryParameterProblem } from './problems.ts';
import { bizSteps, dispositions, errorReasons, measurementTypes, toBare } from './vocabulary.ts';
import { STANDARD_PREFIXES } from './xml-map.ts';

/** Event columns a condition may test. */
export type Column =
  | 'event_type'
  | 'event_time'
  | 'record_time'
  | 'action'
  | 'biz_step'
  | 'disposition'
  | 'transformation_id'
  | 'event_id';
/** A comparison of the GT_/GE_/LT_/LE_/EQ_ parameters. */
export type Comparison = '=' | '>' | '>=' | '<' | '<=';

/** One condition; a query is their conjunction. */
export type Condition =
  | { kind: 'in'; column: Column; values: string[] }
  /** A location: normalised (`*_key`), or as captured for rows written without keys. */
  | { kind: 'location'; field: 'read_point' | 'biz_location'; values: string[] }
  | { kind: 'compare'; column: Column; op: Comparison; value: string }
  | { kind: 'ids'; roles: string[]; exact: string[]; prefixes: string[] }
  | { kind: 'quantity'; op: Comparison; value: number; uom?: string }
  | { kind: 'facetIn'; facet: string; values: string[] }
  | { kind: 'facetCompare'; facet: string; op: Comparison; value: number }
  | { kind: 'facetExists'; facet: string };

/** A parsed query. */
export type EventQuery = {
  conditions: Condition[];
  orderBy: 'eventTime' | 'recordTime' | null;
  orderDirection: 'ASC' | 'DESC';
  eventCountLimit?: number;
  maxEventCount?: number;
};

/** What handlers need: namespaces for extension field names, the database for master data. */
type Ctx = { prefixes: ReadonlyMap<string, string>; db: Executor };
type Handler = {
  pattern: RegExp;
  parse: (m: RegExpExecArray, raw: unknown, q: EventQuery, ctx: Ctx) => Promise<void> | void;
};

const OPS: Readonly<Record<string, Comparison>> = { EQ: '=', GT: '>', GE: '>=', LT: '<', LE: '<=' };

/** A parameter's values: a JSON array, or a pipe-separated query-string value (REST binding §12). */
function list(name: string, raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split('|') : [raw];
  const out = items.map((v) =>
    typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? v.trim() : String(v),
  );
  if (out.length === 0 || out.some((v) => v === '' || v === 'undefined' || v === 'null'))
    throw queryParameterProblem(name, `${name} needs one or more values`);
  return out;
}

function one(name: string, raw: unknown): string {
  const values = list(name, raw);
  if (values.length !== 1) throw queryParameterProblem(name, `${name} takes one value`);
  return values[0] as string;
}

function time(name: string, raw: unknown): string {
  try {
    return canonicalTimestamp(one(name, raw), name);
  } catch {
    throw queryParameterProblem(name, `${name} must be a date-time with a time zone, e.g. 2026-11-26T08:00:00Z`);
  }
}

function num(name: string, raw: unknown): number {
  const n = typeof raw === 'number' ? raw : Number(one(name, raw));
  if (!Number.isFinite(n)) throw queryParameterProblem(name, `${name} must be a number`);
  return n;
}

/** A number, or a time as epoch milliseconds (extension fields of type Float, Int or Time). */
function numOrTime(name: string, raw: unknown): number {
  if (typeof raw === 'number') return raw;
  const text = one(name, raw);
  if (Number.isFinite(Number(text))) return Number(text);
  return Date.parse(time(name, text));
}

function count(name: string, raw: unknown): number {
  const n = num(name, raw);
  if (!Number.isInteger(n) || n < 1) throw queryParameterProblem(name, `${name} must be a positive integer`);
  // Larger counts mean the same as this one for any store, and stay bindable as a LIMIT.
  return Math.min(n, 2_147_483_647);
}

/** MATCH_ values: EPC patterns (`urn:epc:idpat:…:*`) match by prefix, everything else exactly (§8.2.7.1.1). */
function matcher(name: string, raw: unknown, roles: string[]): Condition {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const v of list(name, raw)) {
    if (v.startsWith('urn:epc:idpat:')) {
      const link = epcUriToDigitalLink(v);
      if (!link) throw queryParameterProblem(name, `${v} is not an EPC pattern this repository understands`);
      exact.push(link);
      prefixes.push(`${link}/`);
    } else exact.push(normaliseIdentifier(v), v);
  }
  return { kind: 'ids', roles, exact: [...new Set(exact)], prefixes };
}

const locations = (values: string[]) => [...new Set(values.flatMap((v) => [v, normaliseIdentifier(v)]))];
const add = (q: EventQuery, c: Condition) => {
  q.conditions.push(c);
};
const inColumn =
  (column: Column, map: (v: string) => string = (v) => v): Handler['parse'] =>
  (m, raw, q) =>
    add(q, { kind: 'in', column, values: list(m[0], raw).map(map) });
const timeColumn =
  (column: Column, op: Comparison): Handler['parse'] =>
  (m, raw, q) =>
    add(q, { kind: 'compare', column, op, value: time(m[0], raw) });
/** A facet name, fixed or taken from the parameter name's groups. */
type FacetName = string | ((m: RegExpExecArray) => string);
const named = (f: FacetName, m: RegExpExecArray) => (typeof f === 'string' ? f : f(m));
const facetIn =
  (facet: FacetName, map: (v: string) => string = (v) => v): Handler['parse'] =>
  (m, raw, q) =>
    add(q, { kind: 'facetIn', facet: named(facet, m), values: list(m[0], raw).map(map) });
const facetTime =
  (facet: FacetName, op: Comparison): Handler['parse'] =>
  (m, raw, q) =>
    add(q, { kind: 'facetCompare', facet: named(facet, m), op, value: Date.parse(time(m[0], raw)) });
const exists =
  (facet: string): Handler['parse'] =>
  (m, raw, q) => {
    const v = raw === null || raw === undefined || raw === '' ? 'true' : String(raw).toLowerCase();
    if (!['true', 'false', '1', '0'].includes(v)) throw queryParameterProblem(m[0], `${m[0]} is true or false`);
    if (v === 'true' || v === '1') add(q, { kind: 'facetExists', facet });
  };
const within =
  (vocabulary: string, field: 'read_point' | 'biz_location'): Handler['parse'] =>
  async (m, raw, q, ctx) =>
    add(q, { kind: 'location', field, values: locations(await withDescendants(ctx.db, vocabulary, list(m[0], raw))) });

const CLASS_ROLES = ['epcClass', 'childEpcClass', 'inputEpcClass', 'outputEpcClass'];
const SENSOR_EQ =
  'deviceID|dataProcessingMethod|microorganism|chemicalSubstance|bizRules|stringValue|hexBinaryValue|uriValue';
const AREAS = 'ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_';

/** The parameters of EPCIS 2.0 §8.2.7.1 and the REST binding, first match wins. */
const HANDLERS: Handler[] = [
  { pattern: /^eventType$/, parse: inColumn('event_type') },
  { pattern: /^GE_eventTime$/, parse: timeColumn('event_time', '>=') },
  { pattern: /^LT_eventTime$/, parse: timeColumn('event_time', '<') },
  { pattern: /^GE_recordTime$/, parse: timeColumn('record_time', '>=') },
  { pattern: /^LT_recordTime$/, parse: timeColumn('record_time', '<') },
  {
    pattern: /^EQ_action$/,
    parse: (m, raw, q) => {
      const values = list(m[0], raw);
      if (values.some((v) => !['ADD', 'OBSERVE', 'DELETE'].includes(v)))
        throw queryParameterProblem(m[0], 'EQ_action values are ADD, OBSERVE or DELETE');
      add(q, { kind: 'in', column: 'action', values });
    },
  },
  { pattern: /^EQ_bizStep$/, parse: inColumn('biz_step', (v) => toBare(bizSteps, v)) },
  { pattern: /^EQ_disposition$/, parse: inColumn('disposition', (v) => toBare(dispositions, v)) },
  {
    pattern: /^EQ_persistentDisposition_(set|unset)$/,
    parse: facetIn(
      (m) => `persistentDisposition.${m[1]}`,
      (v) => toBare(dispositions, v),
    ),
  },
  {
    pattern: /^EQ_readPoint$/,
    parse: (m, raw, q) => add(q, { kind: 'location', field: 'read_point', values: locations(list(m[0], raw)) }),
  },
  {
    pattern: /^EQ_bizLocation$/,
    parse: (m, raw, q) => add(q, { kind: 'location', field: 'biz_location', values: locations(list(m[0], raw)) }),
  },
  { pattern: /^WD_readPoint$/, parse: within(VTYPE.readPoint, 'read_point') },
  { pattern: /^WD_bizLocation$/, parse: within(VTYPE.businessLocation, 'biz_location') },
  { pattern: /^EQ_transformationID$/, parse: inColumn('transformation_id') },
  { pattern: /^MATCH_epc$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['epc', 'child'])) },
  { pattern: /^MATCH_parentID$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['parent'])) },
  { pattern: /^MATCH_inputEPC$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['input'])) },
  { pattern: /^MATCH_outputEPC$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['output'])) },
  {
    pattern: /^MATCH_anyEPC$/,
    parse: (m, raw, q) => add(q, matcher(m[0], raw, ['epc', 'child', 'parent', 'input', 'output'])),
  },
  { pattern: /^MATCH_epcClass$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['epcClass', 'childEpcClass'])) },
  { pattern: /^MATCH_inputEPCClass$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['inputEpcClass'])) },
  { pattern: /^MATCH_outputEPCClass$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, ['outputEpcClass'])) },
  { pattern: /^MATCH_anyEPCClass$/, parse: (m, raw, q) => add(q, matcher(m[0], raw, CLASS_ROLES)) },
  {
    pattern: /^(EQ|GT|GE|LT|LE)_quantity(?:_([A-Z0-9]{2,4}))?$/,
    parse: (m, raw, q) => {
      const value = num(m[0], Array.isArray(raw) && raw.length === 1 ? raw[0] : raw);
      add(q, { kind: 'quantity', op: OPS[m[1] as string] as Comparison, value, ...(m[2] ? { uom: m[2] } : {}) });
    },
  },
  { pattern: /^EQ_eventID$/, parse: inColumn('event_id') },
  { pattern: /^EXISTS_errorDeclaration$/, parse: exists('errorDeclaration') },
  { pattern: /^GE_errorDeclaration_?Time$/, parse: facetTime('errorDeclarationTime', '>=') },
  { pattern: /^LT_errorDeclaration_?Time$/, parse: facetTime('errorDeclarationTime', '<') },
  { pattern: /^EQ_errorReason$/, parse: facetIn('errorReason', (v) => toBare(errorReasons, v)) },
  { pattern: /^EQ_correctiveEventID$/, parse: facetIn('correctiveEventID') },
  { pattern: /^EXISTS_sensorElementList$/, parse: exists('sensorElementList') },
  { pattern: /^GE_(time|startTime|endTime)$/, parse: facetTime((m) => `sensor.${m[1]}`, '>=') },
  { pattern: /^LT_(time|startTime|endTime)$/, parse: facetTime((m) => `sensor.${m[1]}`, '<') },
  { pattern: /^EQ_type$/, parse: facetIn('sensor.type', (v) => toBare(measurementTypes, v)) },
  { pattern: new RegExp(`^EQ_(${SENSOR_EQ})$`), parse: facetIn((m) => `sensor.${m[1]}`) },
  {
    pattern: /^EQ_booleanValue$/,
    parse: (m, raw, q) => {
      const v = one(m[0], raw).toLowerCase();
      if (v !== 'true' && v !== 'false') throw queryParameterProblem(m[0], 'EQ_booleanValue is true or false');
      add(q, { kind: 'facetIn', facet: 'sensor.booleanValue', values: [v] });
    },
  },
  {
    pattern: /^(GT|GE|LT|LE)_percRank$/,
    parse: (m, raw, q) =>
      add(q, { kind: 'facetCompare', facet: 'sensor.percRank', op: OPS[m[1]!]!, value: num(m[0], raw) }),
  },
  {
    pattern: /^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)_([A-Z0-9]{2,4})$/,
    parse: (m, raw, q) =>
      add(q, { kind: 'facetCompare', facet: `sensor.${m[2]}.${m[3]}`, op: OPS[m[1]!]!, value: num(m[0], raw) }),
  },
  {
    pattern: new RegExp(`^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(${AREAS})?([A-Za-z][\\w.-]*:.+)$`),
    parse: (m, raw, q, ctx) => {
      const name = fieldName(m[4]!, ctx.prefixes);
      if (!name.startsWith('{'))
        throw queryParameterProblem(
          m[0],
          `the prefix of ${m[4]} is not declared (send it in GS1-Extensions or @context)`,
        );
      const facet = `${m[2] ?? ''}${m[3] ? m[3].slice(0, -1) : 'EVENT'}|${name}`;
      if (m[1] === 'EXISTS') return exists(facet)(m, raw, q, ctx);
      if (m[1] === 'EQ') return add(q, { kind: 'facetIn', facet, values: list(m[0], raw) });
      add(q, { kind: 'facetCompare', facet, op: OPS[m[1]!]!, value: numOrTime(m[0], raw) });
    },
  },
  {
    pattern: /^orderBy$/,
    parse: (m, raw, q) => {
      const v = one(m[0], raw);
      if (v !== 'eventTime' && v !== 'recordTime')
        throw queryParameterProblem(m[0], 'orderBy supports eventTime and recordTime');
      q.orderBy = v;
    },
  },
  {
    pattern: /^orderDirection$/,
    parse: (m, raw, q) => {
      const v = one(m[0], raw);
      if (v !== 'ASC' && v !== 'DESC') throw queryParameterProblem(m[0], 'orderDirection is ASC or DESC');
      q.orderDirection = v;
    },
  },
  {
    pattern: /^eventCountLimit$/,
    parse: (m, raw, q) => {
      q.eventCountLimit = count(m[0], raw);
    },
  },
  {
    pattern: /^maxEventCount$/,
    parse: (m, raw, q) => {
      q.maxEventCount = count(m[0], raw);
    },
  },
];

/** Prefixes for extension field names: the EPCIS context's, then those the client declared. */
export function queryPrefixes(declared: Record<string, string> = {}): Map<string, string> {
  return new Map([...Object.entries(STANDARD_PREFIXES), ...Object.entries(declared)]);
}

/**
 * Parses query parameters (REST query string values, or a named query's JSON object).
 * @param params parameter name → value; `@context` (named queries) declares extension prefixes
 * @throws EpcisProblem 400 QueryParameterException naming the parameter.
 */
export async function parseEventQuery(
  params: Record<string, unknown>,
  ctx: { db: Executor; prefixes: Map<string, string> },
): Promise<EventQuery> {
  const q: EventQuery = { conditions: [], orderBy: null, orderDirection: 'DESC' };
  for (const [name, raw] of Object.entries(params)) {
    if (name === '@context' || raw === undefined) continue;
    const handler = HANDLERS.find((h) => h.pattern.test(name));
    if (!handler) throw queryParameterProblem(name, `unknown query parameter ${name}`);
    await handler.parse(handler.pattern.exec(name) as RegExpExecArray, raw, q, ctx);
  }
  if (q.eventCountLimit !== undefined && q.maxEventCount !== undefined)
    throw queryParameterProblem('maxEventCount', 'eventCountLimit and maxEventCount are mutually exclusive');
  return q;
}
