/**
 * The EPCIS 2.0 JSON Schema (GS1, `data/EPCIS-JSON-Schema.json`, a copy of the standard's file),
 * compiled once with ajv; nothing is fetched. Two documented corrections are applied where the
 * schema is stricter than the EPCIS 2.0 event model (see {@link schemaCorrections}).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Pointed } from './problems.ts';

type Json = Record<string, unknown>;
type Definitions = Record<string, Json>;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

/** The event-type schema part that lists its own properties (the second `allOf` member). */
function ownPart(definitions: Definitions, eventType: string): Json {
  const all = (definitions[eventType]?.allOf ?? []) as Json[];
  const part = all.find((p) => (p.properties as Json | undefined)?.type !== undefined);
  if (!part) throw new Error(`EPCIS JSON Schema: no property list for ${eventType}`);
  return part;
}

/**
 * Corrections to the GS1 JSON Schema, each with its reason:
 * 1. `persistentDisposition` on AggregationEvent, TransactionEvent and AssociationEvent: EPCIS 2.0
 *    §7.3.3 gives every event type this field (the XML schema has it), the JSON Schema lists it
 *    only for Object- and TransformationEvent (corpus: openepcis/valid/AggregationEvent_with_persistentDisposition).
 * 2. `sensorReport.type`: besides the GS1 measurement types and URIs, any other bare term is
 *    accepted and kept as given (corpus: openepcis/valid/SensorData_with_combined_events uses
 *    `Molar_concentration`); the GS1 Web vocabulary grows and sensor types are not CBV values.
 * 3. `sensorReport.type` may be left out when the report carries an `exception` (an alarm or error
 *    condition has no measurement; GS1's own XML example WithSensorData case 9 and the openepcis
 *    corpus do so).
 */
export const schemaCorrections = [
  'persistentDisposition on every event type',
  'other bare sensor measurement types',
  'sensorReport without type when it reports an exception',
];

function corrected(schema: Json): Json {
  const definitions = schema.definitions as Definitions;
  for (const eventType of ['AggregationEvent', 'TransactionEvent', 'AssociationEvent']) {
    const part = ownPart(definitions, eventType);
    (part.properties as Json).persistentDisposition = { $ref: '#/definitions/persistentDisposition' };
    const names = ((part.propertyNames as Json).anyOf as Json[]).find((a) => Array.isArray(a.enum));
    if (!names) throw new Error(`EPCIS JSON Schema: no field names for ${eventType}`);
    (names.enum as string[]).push('persistentDisposition');
  }
  const measurement = definitions.measurementType as Json;
  (measurement.anyOf as Json[]).push({ type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$' });
  const report = definitions.sensorReport as Json;
  delete report.required;
  report.anyOf = [{ required: ['type'] }, { required: ['exception'] }];
  return schema;
}

let compiled: { gate: ValidateFunction; full: ValidateFunction } | undefined;

/**
 * The compiled validators (compiled on first use, ~0.3 s each, then shared): `gate` stops at the
 * first error (a valid document, the usual case, is checked about a third faster), `full` finds
 * them all. Same schema, same formats: they agree on what is valid.
 */
function validators(): { gate: ValidateFunction; full: ValidateFunction } {
  if (!compiled) {
    const file = path.join(import.meta.dirname, 'data', 'EPCIS-JSON-Schema.json');
    const schema = corrected(JSON.parse(readFileSync(file, 'utf8')) as Json);
    const compile = (allErrors: boolean) => addFormats(new Ajv({ allErrors, strict: false })).compile(schema);
    compiled = { gate: compile(false), full: compile(true) };
  }
  return compiled;
}

/** The compiled validator that reports every error. */
export function epcisSchemaValidator(): ValidateFunction {
  return validators().full;
}

/** Keywords that only say "a branch failed"; their branches' own errors say what is wrong. */
const WRAPPERS = new Set(['if', 'anyOf', 'oneOf', 'allOf', 'then', 'else', 'not']);

function pointerOf(e: ErrorObject): string {
  const name = (e.params as { propertyName?: string; missingProperty?: string; additionalProperty?: string }) ?? {};
  const extra = e.keyword === 'propertyNames' ? name.propertyName : undefined;
  const token = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');
  return extra !== undefined ? `${e.instancePath}/${token(extra)}` : e.instancePath;
}

function messageOf(e: ErrorObject, all: readonly ErrorObject[]): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required field '${String(p.missingProperty)}'`;
    case 'additionalProperties':
      return `unknown field '${String(p.additionalProperty)}'`;
    case 'propertyNames':
      return `unknown field '${String(p.propertyName)}': an extension field needs a namespace (a prefix declared in @context, or an absolute URI)`;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).slice(0, 8).join(', ');
      const orUri = all.some(
        (o) =>
          o.instancePath === e.instancePath &&
          (o.keyword === 'pattern' || (o.keyword === 'format' && o.params.format === 'uri')),
      );
      return orUri
        ? `must be a standard value (${allowed}, …) or an absolute URI outside the CBV vocabulary's namespace`
        : `must be one of ${allowed}`;
    }
    default:
      return e.message ?? 'invalid';
  }
}

/**
 * Validates a JSON-LD EPCIS document or a single event against the schema.
 * @returns the problems, one per location (JSON pointer), in document order; empty when valid.
 */
export function schemaProblems(document: unknown): Pointed[] {
  const { gate, full: validate } = validators();
  if (gate(document) || validate(document)) return [];
  const errors = (validate.errors ?? []).filter((e) => !WRAPPERS.has(e.keyword));
  // A property-name error says the same as the format/enum errors ajv reports for that name.
  const named = new Set(errors.filter((e) => e.keyword === 'propertyNames').map((e) => e.instancePath));
  const byPointer = new Map<string, string[]>();
  for (const e of errors) {
    if (named.has(e.instancePath) && e.keyword !== 'propertyNames') continue;
    const beside = (keyword: string) => errors.some((o) => o.instancePath === e.instancePath && o.keyword === keyword);
    if ((e.keyword === 'format' || e.keyword === 'pattern') && beside('enum')) continue;
    const pointer = pointerOf(e);
    const messages = byPointer.get(pointer) ?? [];
    const message = messageOf(e, errors);
    if (!messages.includes(message)) messages.push(message);
    byPointer.set(pointer, messages);
  }
  return [...byPointer.entries()].map(([pointer, messages]) => ({ pointer, detail: messages.join('; ') }));
}
