/**
 * The pre-hash string and hash of an event (CBV 2.0 §8.9 event hash ID), from the syntax-neutral
 * {@link HashEvent} the JSON-LD and XML readers produce.
 */
import crypto from 'node:crypto';
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

const isExtension = (node: HashNode): boolean => node.name.charCodeAt(0) === 123; // '{'

/** A rendered field and what is left of it for the remainder (its children no step covered), if anything. */
type Rendering = { text: string; leftover: HashNode | null };

/** Renders `node` per its property-order step; what its step's own order did not cover is left over. */
function orderedField(node: HashNode, step: Step): Rendering {
  let inner = '';
  let leftover: HashNode | null = node.children.length > 0 ? node : null;
  if (step.fields && node.children.length > 0) {
    const nested = orderedFields(node.children, step.fields, true);
    inner = nested.text;
    leftover = nested.rest.length > 0 ? { ...node, children: nested.rest } : null;
  }
  const text = node.value.trim();
  const value = text === '' ? '' : step.timestamp ? canonicalTimestamp(text, node.path) : canonicalValue(text);
  return { text: value || inner ? (value ? `${node.name}=${value}${inner}` : `${node.name}${inner}`) : '', leftover };
}

/**
 * Renders the fields named in `order`, in that order; several fields of one name (list items) are
 * sorted (CBV 2.0 §8.9 steps 10–12). What the order does not cover is returned as `rest`: fields
 * it does not name, and rendered fields that still have children no step covered (the reference
 * implementation renders those again with the remainder). Inside a standard field (`nested`),
 * its user extensions follow its regular fields (step 21). Nothing is mutated.
 */
function orderedFields(
  fields: readonly HashNode[],
  order: readonly Step[],
  nested: boolean,
): { text: string; rest: HashNode[] } {
  // Which step each field belongs to, in one pass over the fields: `step * 4096 + field` sorts by step.
  const steps = stepIndex(order);
  const matched: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const step = steps.get(fields[i]!.name);
    if (step !== undefined) matched.push(step * 4096 + i);
  }
  if (matched.length > 1) matched.sort((a, b) => a - b);
  const left: (HashNode | null)[] = fields.slice();
  let out = '';
  for (let m = 0; m < matched.length; ) {
    const step = order[Math.floor(matched[m]! / 4096)]!;
    let end = m + 1;
    while (end < matched.length && Math.floor(matched[end]! / 4096) === Math.floor(matched[m]! / 4096)) end++;
    const rendered: string[] = [];
    for (let j = m; j < end; j++) {
      const i = matched[j]! % 4096;
      const { text, leftover } = orderedField(fields[i]!, step);
      left[i] = leftover;
      if (text) rendered.push(text);
    }
    if (rendered.length > 1) sortCodePoints(rendered);
    for (const text of rendered) out += text;
    m = end;
  }
  const extensions: HashNode[] = [];
  const rest: HashNode[] = [];
  for (let i = 0; i < fields.length; i++) {
    const node = fields[i]!;
    if (nested && isExtension(node)) extensions.push(node);
    else if (left[i]) rest.push(left[i]!);
  }
  return { text: extensions.length > 0 ? out + genericFields(extensions) : out, rest };
}

const stepIndexes = new WeakMap<readonly Step[], ReadonlyMap<string, number>>();

/** Step name → its position in an order (computed once per order). */
function stepIndex(order: readonly Step[]): ReadonlyMap<string, number> {
  let index = stepIndexes.get(order);
  if (!index) {
    index = new Map(order.map((step, i) => [step.name, i]));
    stepIndexes.set(order, index);
  }
  return index;
}

/** A typed list item: `type=…` then `bizTransaction=…` (CBV 2.0 §8.9 step 13), then anything else it carries. */
function typedItem(node: HashNode): string {
  const type = node.children.find((c) => c.name === 'type');
  const rest = type ? node.children.filter((c) => c !== type) : node.children;
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
  if (fields.length === 0) return '';
  const rendered = fields.map((node) => {
    if (TYPED_ITEMS.has(node.name) && parent === `${node.name}List`) return typedItem(node);
    const text = node.value.trim();
    return `${node.name}${text ? `=${canonicalValue(text)}` : ''}${genericFields(node.children, node.name)}`;
  });
  return rendered.length === 1 ? rendered[0]! : sortCodePoints(rendered).join('');
}

/**
 * The part after the property order: every remaining event field except the ignored ones, sorted
 * (CBV 2.0 §8.9 rows 24–25, as the reference implementation applies them).
 */
function remainderPreHash(fields: readonly HashNode[], ignore: ReadonlySet<string>): string {
  return genericFields(fields.filter((f) => !IGNORED_FIELDS.has(f.name) && !ignore.has(f.name)));
}

const NOTHING_IGNORED: ReadonlySet<string> = new Set();

/**
 * The pre-hash string of one event (CBV 2.0 §8.9): `eventType=…`, the fields in canonical
 * property order, then ILMD, business transactions, sources/destinations and user extensions.
 * @param ignore further top-level field names (`{namespace}local`) to leave out, e.g. a document's
 *   `ignoreFields` declaration.
 * @throws EventHashError for a timestamp that is not an `xsd:dateTimeStamp`.
 */
export function preHashOf(event: HashEvent, ignore: ReadonlySet<string> = NOTHING_IGNORED): string {
  const { text, rest } = orderedFields(event.fields, PROPERTY_ORDER, false);
  return `eventType=${event.eventType}${text}${remainderPreHash(rest, ignore)}`;
}

/**
 * The event hash ID of a pre-hash string: `ni:///sha-256;{hex digest}?ver=CBV2.0` (RFC 6920 `ni`
 * URI, CBV 2.0 §8.9 step 22).
 */
export function eventHash(preHash: string): string {
  return `ni:///sha-256;${sha256Hex(preHash)}?ver=CBV2.0`;
}

/** SHA-256 hex digest of UTF-8 text: `crypto.hash` (one call, Node ≥ 20.12) where there is one. */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(a: string, d: string, e: string): string }).hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
