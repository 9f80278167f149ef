import { describe, expect, it } from 'vitest';
import { epc, objectEvent, transformationEvent } from '../fixtures/epcis-events.ts';
import { chainIds, sausageChainEvents } from '../fixtures/sausage-chain.ts';
import { type EpcisEventDocument, identifierRowsOf, utcEventTime } from './event-fields.ts';
import { normaliseIdentifier } from './identifiers.ts';
import type { Direction, TraceEvent } from './rules.ts';
import { type EventSource, traceWalker } from './walker.ts';

/** An in-memory event store: events get record order 1, 2, … and are found by any identifier they name. */
function memory(named: { name: string; event: EpcisEventDocument }[]) {
  const events: TraceEvent[] = named.map(({ event }, i) => ({
    seq: i + 1,
    time: utcEventTime(event)!,
    type: String(event.type),
    action: typeof event.action === 'string' ? event.action : null,
    ids: identifierRowsOf(event),
  }));
  const calls: string[][] = [];
  const source: EventSource = {
    eventsNaming: async (ids) => {
      calls.push([...ids]);
      return events.filter((e) => e.ids.some((r) => ids.includes(r.identifier)));
    },
  };
  const walk = async (direction: Direction, id: string) => {
    const w = await traceWalker({ direction, start: normaliseIdentifier(id), source });
    return { ...w, names: w.events.map((e) => named[e.seq - 1]!.name).sort(byName) };
  };
  return { walk, calls };
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
const names = (list: string) => list.split(' ').sort(byName);

describe('trace walker on the sausage chain', () => {
  const chain = memory(sausageChainEvents());

  it('traces a sausage lot back to the pork and spice lots, through the pallets that carried its packs', async () => {
    const w = await chain.walk('back', chainIds.sausageL1);
    expect(w.names).toEqual(names('E1 E2 E3 E4 E5 E6 E7 E9 E10 E12 E13 E14 E15 E16 E17 E18 E19 E23'));
    // Time windows: the pork and spice lots' later use in lot L2 (E8) is not an origin of L1.
    expect(w.names).not.toContain('E8');
    expect(w.reached.get(normaliseIdentifier(chainIds.porkA))).toMatchObject({ reachedBy: 'input', mode: 'full' });
    expect(w.reached.get(normaliseIdentifier(chainIds.palletP1))).toMatchObject({
      reachedBy: 'container',
      mode: 'carrier',
      window: { from: '2026-11-03T03:00:00.000Z', to: '2026-11-03T09:00:00.000Z' },
    });
    expect(w.truncated).toBe(false);
  });

  it('traces one pack back without its siblings’ own events', async () => {
    const w = await chain.walk('back', chainIds.pack1001);
    expect(w.names).toEqual(names('E1 E2 E3 E4 E5 E6 E7 E9 E10 E12 E13 E14 E15 E16 E17 E18 E19'));
    expect(w.reached.has(normaliseIdentifier(chainIds.pack1003))).toBe(false);
  });

  it('traces a pallet back, named by its GS1 Digital Link, to what was packed onto it and its origins', async () => {
    const w = await chain.walk('back', 'https://example.com/00/069034560000000027?linkType=all');
    expect(w.start).toBe(normaliseIdentifier(chainIds.palletP2));
    expect(w.names).toEqual(names('E1 E2 E3 E4 E5 E6 E7 E8 E11 E12 E13 E20 E21 E22'));
  });

  it('traces the pork lot forward to every product, pallet and shop, and not the spice lot’s origins', async () => {
    const w = await chain.walk('forward', chainIds.porkA);
    expect(w.names).toEqual(names('E1 E2 E3 E7 E8 E9 E10 E11 E12 E13 E14 E15 E16 E17 E18 E19 E20 E21 E22 E23'));
  });

  it('traces an unpacked pallet forward through its contents, not back to their packing', async () => {
    const w = await chain.walk('forward', chainIds.palletP1);
    expect(w.names).toEqual(names('E10 E12 E13 E14 E15 E16 E17 E18 E19 E23'));
  });

  it('looks identifiers up one breadth-first level at a time, each identifier once', async () => {
    chain.calls.length = 0;
    const w = await chain.walk('forward', chainIds.porkA);
    const all = chain.calls.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(chain.calls.length).toBe(w.lookups);
    expect(w.lookups).toBeLessThanOrEqual(w.levels);
    expect(w.lookups).toBeLessThan(all.length);
  });
});

describe('trace walker on bad data', () => {
  const a = epc.lgtin('6901234', '010001', 'A');
  const b = epc.lgtin('6901234', '010001', 'B');
  const t = Date.parse('2026-11-02T00:00:00Z');
  const kg = (epcClass: string) => [{ epcClass, quantity: 1, uom: 'KGM' }];
  const loop = memory([
    { name: 'C1', event: transformationEvent({ at: t, inputQuantities: kg(a), outputQuantities: kg(b) }) },
    { name: 'C2', event: transformationEvent({ at: t + 1000, inputQuantities: kg(b), outputQuantities: kg(a) }) },
    { name: 'C3', event: transformationEvent({ at: t + 2000, inputQuantities: kg(a), outputQuantities: kg(a) }) },
    { name: 'C4', event: objectEvent({ at: t + 3000, action: 'OBSERVE', quantities: kg(b) }) },
  ]);

  it('does not loop on cycles (A → B → A, and A → A)', async () => {
    const back = await loop.walk('back', a);
    expect(back.names).toEqual(['C1', 'C2', 'C3']);
    expect(back.levels).toBeLessThan(10);
    const forward = await loop.walk('forward', a);
    expect(forward.names).toEqual(['C1', 'C2', 'C3', 'C4']);
  });

  it('stops at its limits and says so', async () => {
    // A chain that never ends: every identifier is the input of an event making a new one.
    let seq = 0;
    const endless: EventSource = {
      eventsNaming: async (ids) =>
        ids.map((id) => {
          seq += 1;
          const row = (identifier: string, role: 'input' | 'output') => ({
            identifier,
            role,
            quantity: null,
            uom: null,
          });
          return {
            seq,
            time: '2026-11-02T00:00:00.000Z',
            type: 'TransformationEvent',
            action: null,
            ids: [row(id, 'input'), row(`${id}+`, 'output')],
          };
        }),
    };
    const w = await traceWalker({
      direction: 'forward',
      start: 'urn:x:0',
      source: endless,
      limits: { maxIdentifiers: 5, maxEvents: 100 },
    });
    expect(w.truncated).toBe(true);
    expect(w.reached.size).toBeGreaterThan(5);
  });
});
