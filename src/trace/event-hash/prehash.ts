/**
 * The pre-hash string and hash of an event (CBV 2.0 §8.9 event hash ID), from the syntax-neutral
 * {@link HashEvent} the JSON-LD and XML readers produce.
 */
import { createHash } from 'node:crypto';
import { type HashEvent, type HashNode, sortCodePoints } from './tree.ts';
import { canonicalTimestamp, canonicalValue } from './values.ts';

/** One step of the canonical property order: a field name and the order of its own fields, if any. */
type Step = { readonly name: string; readonly timestamp?: boolean; readonly fields?: readonly Step[] };

const field = (name: string, fields?: readonly Step[]): Step => (fields ? { name, fields } : { name });
const time = (name: string): Step => ({ name, timestamp: true });
const epcs = [field('epc')];
const quantities = [field('quantityElement', [field('epcClass'), field('quantity'), field('uom')])];

/**
 * The canonical property order (CBV 2.0 §8.9 table "canonical property order", rows 1–23), as
 * applied by the reference implementation whose outputs the GS1 conformance examples record:
 * - `certificationInfo` follows `eventTimeZoneOffset` (example CertificationInfoAndSensorReportWithCRS);
 * - `bizTransactionList`, `sourceList`, `destinationList` (rows 20–22) and `ilmd` (row 24) are not
 *   placed by this table but sorted with the user extensions (row 25), see {@link remainderPreHash}
 *   (examples ReferenceEventHashAlgorithm3, SensorDataExamples).
 */
const PROPERTY_ORDER: readonly Step[] = [
  time('eventTime'),
  field('eventTimeZoneOffset'),
  field('certificationInfo'),
  field('epcList', epcs),
  field('parentID'),
  field('inputEPCList', epcs),
  field('childEPCs', epcs),
  field('quantityList', quantities),
  field('childQuantityList', quantities),
  field('inputQuantityList', quantities),
  field('outputEPCList', epcs),
  field('outputQuantityList', quantities),
  field('action'),
  field('transformationID'),
  field('bizStep'),
  field('disposition'),
  field('persistentDisposition', [field('set'), field('unset')]),
  field('readPoint', [field('id')]),
  field('bizLocation', [field('id')]),
  field('sensorElementList', [
    field('sensorElement', [
      field('sensorMetadata', [
        time('time'),
        time('startTime'),
        time('endTime'),
        ...['deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'].map((n) => field(n)),
      ]),
      field('sensorReport', [
        field('type'),
        field('exception'),
        ...['deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod'].map((n) => field(n)),
        time('time'),
        ...['microorganism', 'chemicalSubstance', 'value', 'component', 'stringValue', 'booleanValue'].map((n) =>
          field(n),
        ),
        ...['hexBinaryValue', 'uriValue', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank'].map((n) => field(n)),
        field('percValue'),
        field('uom'),
        field('coordinateReferenceSystem'),
      ]),
    ]),
  ]),
];

/** Event fields that never take part in the hash: the ID itself, capture bookkeeping, and error declarations. */
export const IGNORED_FIELDS: ReadonlySet<string> = new Set(['eventID', 'recordTime', 'errorDeclaration']);

/** Standard fields whose list items carry a `type` that precedes the item value (CBV 2.0 §8.9 step 13). */
const TYPED_ITEMS: ReadonlySet<string> = new Set(['bizTransaction', 'source', 'destination']);

const isExtension = (node: HashNode): boolean => node.name.startsWith('{');

/** Renders `node` per its property-order step, consuming the fields it uses from `node.children`. */
function orderedField(node: HashNode, step: Step): string {
  const inner = step.fields ? orderedFields(node.children, step.fields, true) : '';
  const text = node.value.trim();
  const value = text === '' ? '' : step.timestamp ? canonicalTimestamp(text, node.path) : canonicalValue(text);
  return value || inner ? `${node.name}${value ? `=${value}` : ''}${inner}` : '';
}

/**
 * Renders the fields named in `order`, in that order; several fields of one name (list items) are
 * sorted (CBV 2.0 §8.9 steps 10–12). Rendered fields are removed from `fields` once nothing of
 * them is left, so that what remains afterwards is what the order does not cover. Inside a
 * standard field (`nested`), its user extensions follow its regular fields (step 21).
 */
function orderedFields(fields: HashNode[], order: readonly Step[], nested: boolean): string {
  const extensions = nested ? fields.filter(isExtension) : [];
  let out = '';
  const present = new Set(fields.map((f) => f.name));
  for (const step of order) {
    if (!present.has(step.name)) continue;
    const rendered: string[] = [];
    for (const node of fields.filter((f) => f.name === step.name)) {
      const text = orderedField(node, step);
      if (text) rendered.push(text);
      if (node.children.length === 0) fields.splice(fields.indexOf(node), 1);
    }
    out += sortCodePoints(rendered).join('');
  }
  for (const ext of extensions) fields.splice(fields.indexOf(ext), 1);
  return out + genericFields(extensions);
}

/** A typed list item: `type=…` then `bizTransaction=…` (CBV 2.0 §8.9 step 13), then anything else it carries. */
function typedItem(node: HashNode): string {
  const type = node.children.find((c) => c.name === 'type');
  const rest = node.children.filter((c) => c !== type);
  const typeText = type?.value.trim() ? `type=${canonicalValue(type.value)}` : '';
  const value = node.value.trim() ? `=${canonicalValue(node.value)}` : '';
  return `${typeText}${node.name}${value}${genericFields(rest)}`;
}

/**
 * Renders fields outside the property order (ILMD, user extensions, and whatever of a standard
 * field the order did not consume): `{namespace}name=value` with children appended, each level
 * sorted (CBV 2.0 §8.9 steps 19–20).
 */
function genericFields(fields: readonly HashNode[], parent = ''): string {
  const rendered = fields.map((node) => {
    if (TYPED_ITEMS.has(node.name) && parent === `${node.name}List`) return typedItem(node);
    const text = node.value.trim();
    return `${node.name}${text ? `=${canonicalValue(text)}` : ''}${genericFields(node.children, node.name)}`;
  });
  return sortCodePoints(rendered).join('');
}

/**
 * The part after the property order: every remaining event field except the ignored ones, sorted
 * (CBV 2.0 §8.9 rows 24–25, as the reference implementation applies them).
 */
function remainderPreHash(fields: readonly HashNode[], ignore: ReadonlySet<string>): string {
  return genericFields(fields.filter((f) => !IGNORED_FIELDS.has(f.name) && !ignore.has(f.name)));
}

/**
 * The pre-hash string of one event (CBV 2.0 §8.9): `eventType=…`, the fields in canonical
 * property order, then ILMD, business transactions, sources/destinations and user extensions.
 * @param ignore further top-level field names (`{namespace}local`) to leave out, e.g. a document's
 *   `ignoreFields` declaration.
 * @throws EventHashError for a timestamp that is not an `xsd:dateTimeStamp`.
 */
export function preHashOf(event: HashEvent, ignore: ReadonlySet<string> = new Set()): string {
  const fields = cloneNodes(event.fields);
  const ordered = orderedFields(fields, PROPERTY_ORDER, false);
  return `eventType=${event.eventType}${ordered}${remainderPreHash(fields, ignore)}`;
}

/** A deep copy of some nodes (the builder consumes what it renders); much cheaper than structuredClone. */
function cloneNodes(nodes: readonly HashNode[]): HashNode[] {
  return nodes.map((n) => ({
    name: n.name,
    value: n.value,
    path: n.path,
    children: n.children.length ? cloneNodes(n.children) : [],
  }));
}

/**
 * The event hash ID of a pre-hash string: `ni:///sha-256;{hex digest}?ver=CBV2.0` (RFC 6920 `ni`
 * URI, CBV 2.0 §8.9 step 22).
 */
export function eventHash(preHash: string): string {
  return `ni:///sha-256;${createHash('sha256').update(preHash, 'utf8').digest('hex')}?ver=CBV2.0`;
}
