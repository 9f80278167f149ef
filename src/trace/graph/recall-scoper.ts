/**
 * Recall scope (召回范围) of a lot: trace it forward, then read off every lot, location and party that
 * received it or something made from it, with quantities and times. A location or party received
 * goods when a receiving event (bizStep receiving, arriving, accepting) happened there or named it
 * as destination; a shipping event naming it as destination counts too, marked unconfirmed. Its
 * totals come from its receiving events when there are any, else from shipments to it, so that a
 * consignment shipped and received is not counted twice.
 */
import type { Executor } from '../../kernel/db/unit-of-work.ts';
import { bizStepOf, destinationsOf, placeOf, sourcesOf } from './event-fields.ts';
import { type Goods, GoodsLedger, sumByLot } from './goods.ts';
import { describeIdentifier, gtinOf } from './identifiers.ts';
import type { RecallView } from './schema.ts';
import { masterDataNames, type Visibility } from './store.ts';
import { lotTracer, type Trace } from './tracer.ts';

/** CBV 2.0 business steps that mean the goods arrived (CBV 2.0 §7.1). */
const RECEIVING = new Set(['receiving', 'arriving', 'accepting']);

type Receipt = RecallView['receipts'][number] & { goodsDetail: Goods[] };

/** A recall scope and what it was computed from (the FSMA export reads the same trace). */
export type RecallScope = { view: RecallView; trace: Trace; ledger: GoodsLedger; names: Map<string, string> };

/** Names for identifiers: master data first, else the GS1 label; products by lot, then by GTIN. */
export function nameOf(names: ReadonlyMap<string, string>, id: string): string {
  const gtin = gtinOf(id);
  return (
    names.get(id) ?? (gtin ? names.get(`https://id.gs1.org/01/${gtin}`) : undefined) ?? describeIdentifier(id).label
  );
}

/** Computes the recall scope of a lot (or any identifier) the caller may trace. */
export async function recallScoper(props: {
  db: Executor;
  identifier: string;
  visibility: Visibility;
}): Promise<RecallScope> {
  const trace = await lotTracer({ ...props, direction: 'forward' });
  const ledger = new GoodsLedger(trace);
  const receipts: Receipt[] = [];
  for (const event of trace.events) {
    const doc = event.document;
    const bizStep = bizStepOf(doc);
    const to = destinationsOf(doc);
    const confirmed = bizStep !== null && RECEIVING.has(bizStep);
    if (!confirmed && Object.keys(to).length === 0) continue;
    if (event.type === 'AggregationEvent' || event.type === 'AssociationEvent') continue;
    const from = sourcesOf(doc);
    const goods = ledger.goodsOf(event);
    receipts.push({
      eventID: event.eventId,
      time: event.time,
      bizStep,
      confirmed,
      location: (confirmed ? (placeOf(doc) ?? to.location) : to.location) ?? null,
      owningParty: to.owning_party ?? null,
      possessingParty: to.possessing_party ?? null,
      source: from.location ?? from.owning_party ?? null,
      goods: goods.map(({ container: _, ...g }) => g),
      goodsDetail: goods,
    });
  }

  const ids = [...trace.reached.keys(), ...receipts.flatMap((r) => [r.location, r.owningParty, r.possessingParty])];
  const names = await masterDataNames(
    props.db,
    ids.flatMap((id) => (id ? [id, ...(gtinOf(id) ? [`https://id.gs1.org/01/${gtinOf(id)}`] : [])] : [])),
  );

  const times = new Map<string, { first: string; last: string; quantity: number | null; uom: string | null }>();
  for (const event of trace.events)
    for (const row of event.ids) {
      const reach = trace.reached.get(row.identifier);
      if (!reach) continue;
      const known = times.get(row.identifier);
      const fromVia = reach.via === event.seq && row.quantity !== null;
      if (!known)
        times.set(row.identifier, { first: event.time, last: event.time, quantity: row.quantity, uom: row.uom });
      else {
        if (event.time > known.last) known.last = event.time;
        if (fromVia || known.quantity === null) Object.assign(known, { quantity: row.quantity, uom: row.uom });
      }
    }
  const lots = [...trace.reached.values()]
    .filter((r) => times.has(r.identifier))
    .map((r) => {
      const t = times.get(r.identifier)!;
      const info = describeIdentifier(r.identifier);
      return {
        identifier: r.identifier,
        kind: info.kind,
        label: nameOf(names, r.identifier),
        reachedBy: r.reachedBy,
        firstTime: t.first,
        lastTime: t.last,
        quantity: t.quantity,
        uom: t.uom,
      };
    })
    .sort((a, b) => (a.firstTime < b.firstTime ? -1 : a.firstTime > b.firstTime ? 1 : 0));

  const view: RecallView = {
    identifier: props.identifier,
    lots,
    locations: recipients(receipts, (r) => [r.location], names),
    parties: recipients(receipts, (r) => [r.owningParty, r.possessingParty], names),
    receipts: receipts.map(({ goodsDetail: _, ...r }) => r),
    truncated: trace.truncated,
  };
  return { view, trace, ledger, names };
}

/** Groups receipts by recipient (a location, or a party in either role). */
function recipients(
  receipts: readonly Receipt[],
  keysOf: (r: Receipt) => (string | null)[],
  names: ReadonlyMap<string, string>,
): RecallView['locations'] {
  const groups = new Map<string, Receipt[]>();
  for (const r of receipts)
    for (const key of new Set(keysOf(r))) if (key) groups.set(key, [...(groups.get(key) ?? []), r]);
  return [...groups.entries()]
    .map(([id, list]) => {
      const confirmed = list.some((r) => r.confirmed);
      const counted = list.filter((r) => r.confirmed === confirmed);
      return {
        id,
        label: nameOf(names, id),
        // Receipts come in trace order, which is time order.
        firstTime: list[0]!.time,
        lastTime: list.at(-1)!.time,
        events: list.length,
        confirmed,
        received: sumByLot(counted.flatMap((r) => r.goodsDetail)),
      };
    })
    .sort((a, b) => (a.firstTime < b.firstTime ? -1 : a.firstTime > b.firstTime ? 1 : a.id.localeCompare(b.id)));
}
