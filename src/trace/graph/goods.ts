/**
 * What goods an event of a trace moved, in traceability lots: a lot class with its quantity, a
 * serialised item counted as one of its lot (when an event linked them, see rules.ts), and a logistic
 * unit (SSCC) opened up into the traced contents it carried at the time (EPCIS 2.0 §7.3.3: an event
 * on a parent implies its children).
 */
import { describeIdentifier, gtinOf } from './identifiers.ts';
import { isContentRole } from './rules.ts';
import type { QuantityView } from './schema.ts';
import type { Trace, TracedEvent } from './tracer.ts';

/** Goods an event names: a quantity of a lot, and the logistic unit it travelled in (if any). */
export type Goods = QuantityView & { container: string | null };

const CLASS_ROLE: Readonly<Record<string, string>> = {
  epc: 'epcClass',
  child: 'childEpcClass',
  input: 'inputEpcClass',
  output: 'outputEpcClass',
};

/** Reads goods out of a trace's events. */
export class GoodsLedger {
  private readonly lots = new Map<string, string>();
  /** Events naming each parent, in trace (time) order. */
  private readonly byParent = new Map<string, TracedEvent[]>();

  constructor(private readonly trace: Trace) {
    for (const event of trace.events) {
      for (const row of event.ids) {
        if (row.role !== 'parent') continue;
        const list = this.byParent.get(row.identifier);
        if (list) list.push(event);
        else this.byParent.set(row.identifier, [event]);
      }
      for (const row of event.ids) {
        const classRole = CLASS_ROLE[row.role];
        if (!classRole || this.lots.has(row.identifier)) continue;
        const gtin = gtinOf(row.identifier);
        const lot = event.ids.find((r) => r.role === classRole && gtin !== undefined && gtinOf(r.identifier) === gtin);
        if (lot && describeIdentifier(lot.identifier).kind === 'lot') this.lots.set(row.identifier, lot.identifier);
      }
    }
  }

  /** The traceability lot of an identifier: itself for a lot, its linked lot for an item, else itself. */
  lotOf(identifier: string): string {
    return this.lots.get(identifier) ?? identifier;
  }

  /** The traced goods an event names (a parent's contents are named by the event itself). */
  goodsOf(event: TracedEvent): Goods[] {
    const out: Goods[] = [];
    const seen = new Set<string>();
    // A lot named beside its own items (a commissioning event linking them) is those items: count them once.
    const itemized = new Set(event.ids.filter((r) => CLASS_ROLE[r.role]).map((r) => this.lotOf(r.identifier)));
    for (const row of event.ids) {
      if (row.role === 'parent' || !this.trace.reached.has(row.identifier)) continue;
      if (!CLASS_ROLE[row.role] && itemized.has(row.identifier)) continue;
      const key = `${row.role} ${row.identifier}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const kind = describeIdentifier(row.identifier).kind;
      if (kind === 'container' && row.quantity === null) {
        const contents = this.contentsAt(row.identifier, event, 0);
        if (contents.length > 0) {
          out.push(...contents.map((c) => ({ ...c, container: c.container ?? row.identifier })));
          continue;
        }
      }
      out.push(this.goods(row.identifier, row.quantity, row.uom, null));
    }
    return out;
  }

  private goods(identifier: string, quantity: number | null, uom: string | null, container: string | null): Goods {
    const isClass = ['lot', 'product'].includes(describeIdentifier(identifier).kind);
    return { identifier, lot: this.lotOf(identifier), quantity: quantity ?? (isClass ? null : 1), uom, container };
  }

  /** The traced contents of a container at an event: packed (ADD/OBSERVE) before it, not yet unpacked (DELETE). */
  contentsAt(container: string, at: TracedEvent, depth: number): Goods[] {
    if (depth > 4) return [];
    const inside = new Map<string, Goods>();
    for (const event of this.byParent.get(container) ?? []) {
      if (event.time > at.time || (event.time === at.time && event.seq > at.seq)) break;
      const contents = event.ids.filter((r) => isContentRole(event, r.role));
      if (event.action === 'DELETE') {
        if (contents.length === 0) inside.clear();
        for (const c of contents) inside.delete(c.identifier);
        continue;
      }
      for (const c of contents) {
        if (!this.trace.reached.has(c.identifier)) continue;
        inside.set(c.identifier, this.goods(c.identifier, c.quantity, c.uom, null));
      }
    }
    return [...inside.values()].flatMap((g) => {
      if (describeIdentifier(g.identifier).kind !== 'container') return [g];
      const nested = this.contentsAt(g.identifier, at, depth + 1);
      return nested.length > 0 ? nested.map((n) => ({ ...n, container: n.container ?? g.identifier })) : [g];
    });
  }
}

/** Sums goods by lot and unit (instances counted), for per-recipient totals. */
export function sumByLot(goods: readonly Goods[]): QuantityView[] {
  const totals = new Map<string, QuantityView>();
  for (const g of goods) {
    const key = `${g.lot} ${g.uom ?? ''}`;
    const known = totals.get(key);
    if (!known) {
      totals.set(key, { identifier: g.lot, lot: g.lot, quantity: g.quantity, uom: g.uom });
    } else if (known.quantity !== null && g.quantity !== null) {
      known.quantity += g.quantity;
    } else {
      known.quantity = null;
    }
  }
  return [...totals.values()];
}
