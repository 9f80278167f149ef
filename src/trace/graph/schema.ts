/**
 * The trace API's vocabulary: one Zod schema per shape gives validation, the TypeScript type and
 * the OpenAPI documentation at /api/docs.
 */
import { z } from 'zod';

/** `?epc=`: the identifier to trace from. */
export const traceQuery = z.object({
  epc: z
    .string()
    .min(1)
    .max(2000)
    .describe(
      'an EPC (`urn:epc:id:sgtin:…`), a lot (`urn:epc:class:lgtin:…`), an SSCC (`urn:epc:id:sscc:…`) or a GS1 Digital Link (`https://id.gs1.org/01/…/10/…`); normalised as capture indexes identifiers',
    ),
});

/** `back`: towards origins (溯源); `forward`: towards consumers (追踪). */
export const directionSchema = z.enum(['back', 'forward']);

/** A node of the trace graph: an identifier the trace reached, or a location events happened at. */
export const graphNode = z.object({
  id: z.string().describe('canonical GS1 Digital Link (`https://id.gs1.org/…`), else the URI as captured'),
  kind: z.enum(['lot', 'item', 'product', 'container', 'location', 'party', 'identifier']),
  label: z.string(),
  /** Only identifiers: how the trace reached it. */
  reachedBy: z
    .enum(['start', 'input', 'output', 'container', 'content', 'class-instance'])
    .nullable()
    .describe('how the trace reached this identifier (null for locations)'),
  firstTime: z.string().describe('earliest event naming it (UTC)'),
  lastTime: z.string().describe('latest event naming it (UTC)'),
  eventCount: z.number().int(),
});
export type GraphNode = z.infer<typeof graphNode>;

/**
 * An edge of the trace graph: one event linking two nodes. `transformed-into`: input → output of a
 * TransformationEvent; `packed-into`: content → parent (ADD/OBSERVE); `unpacked-from`: parent →
 * content (DELETE); `at`: identifier → where the event happened; `shipped-to`: identifier → the
 * event's destination location.
 */
export const graphEdge = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  relation: z.enum(['transformed-into', 'packed-into', 'unpacked-from', 'at', 'shipped-to']),
  eventID: z.string(),
  eventType: z.string(),
  bizStep: z.string().nullable(),
  action: z.string().nullable(),
  time: z.string().describe('event time (UTC)'),
  quantity: z.number().nullable(),
  uom: z.string().nullable(),
});
export type GraphEdge = z.infer<typeof graphEdge>;

/** The trace as a graph: identifiers and locations, linked by events. */
export const traceGraph = z.object({ nodes: z.array(graphNode), edges: z.array(graphEdge) });
export type TraceGraph = z.infer<typeof traceGraph>;

/** An EPCIS 2.0 event in JSON-LD, as captured (EPCIS 2.0 JSON Schema `Event`). */
const jsonLdEvent = z.record(z.string(), z.unknown());

/** EPCIS 2.0 EPCISQueryDocument (JSON-LD): the events of the trace. */
export const epcisQueryDocument = z.object({
  '@context': z.array(z.union([z.string(), z.record(z.string(), z.string())])),
  type: z.literal('EPCISQueryDocument'),
  schemaVersion: z.literal('2.0'),
  creationDate: z.string(),
  epcisBody: z.object({
    queryResults: z.object({
      queryName: z.string(),
      resultsBody: z.object({ eventList: z.array(jsonLdEvent) }),
    }),
  }),
});
export type EpcisQueryDocument = z.infer<typeof epcisQueryDocument>;

/** The answer of `GET /api/trace/back` and `/forward`. */
export const traceView = z.object({
  identifier: z.string().describe('the identifier traced, normalised'),
  direction: directionSchema,
  document: epcisQueryDocument,
  graph: traceGraph,
  stats: z.object({
    events: z.number().int(),
    identifiers: z.number().int(),
    levels: z.number().int().describe('breadth-first levels walked, one database look-up each'),
    truncated: z.boolean().describe('the walk stopped at its limits before it was complete'),
  }),
});
export type TraceView = z.infer<typeof traceView>;

/** A quantity of something: a class with a quantity and unit, or a count of instances (`uom` null). */
export const quantityView = z.object({
  identifier: z.string(),
  lot: z.string().describe('the traceability lot: the lot class, or the identifier itself when no lot is known'),
  quantity: z.number().nullable(),
  uom: z.string().nullable().describe('UN/CEFACT unit; null: a count of instances'),
});
export type QuantityView = z.infer<typeof quantityView>;

/** `?format=` of the recall scope. */
export const recallQuery = traceQuery.extend({
  format: z.enum(['json', 'csv', 'xlsx']).default('json').describe('json, or the FSMA 204 sortable spreadsheet'),
});

/** Who received what where: one shipping or receiving event of the recall scope. */
export const receiptView = z.object({
  eventID: z.string(),
  time: z.string(),
  bizStep: z.string().nullable(),
  confirmed: z.boolean().describe('true: a receiving event; false: shipped to the destination, not yet received'),
  location: z.string().nullable(),
  owningParty: z.string().nullable(),
  possessingParty: z.string().nullable(),
  source: z.string().nullable(),
  goods: z.array(quantityView),
});

/** A location or party of the recall scope and what it received. */
export const recipientView = z.object({
  id: z.string(),
  label: z.string(),
  firstTime: z.string(),
  lastTime: z.string(),
  events: z.number().int(),
  confirmed: z.boolean().describe('the quantities are from receiving events (else from shipments to it)'),
  received: z.array(quantityView),
});

/** The answer of `GET /api/trace/recall`: what a recall of the lot must reach. */
export const recallView = z.object({
  identifier: z.string(),
  lots: z.array(
    z.object({
      identifier: z.string(),
      kind: graphNode.shape.kind,
      label: z.string(),
      reachedBy: graphNode.shape.reachedBy,
      firstTime: z.string(),
      lastTime: z.string(),
      quantity: z.number().nullable(),
      uom: z.string().nullable(),
    }),
  ),
  locations: z.array(recipientView),
  parties: z.array(recipientView),
  receipts: z.array(receiptView),
  truncated: z.boolean(),
});
export type RecallView = z.infer<typeof recallView>;
