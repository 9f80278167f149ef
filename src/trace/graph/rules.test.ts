import { describe, expect, it } from 'vitest';
import type { IdentifierRow, IdRole } from './event-fields.ts';
import { containmentEnd, type Direction, mergeReach, nextReaches, type Reach, type TraceEvent } from './rules.ts';

const lot = (l: string) => `https://id.gs1.org/01/06903456300011/10/${l}`;
const porkLot = 'https://id.gs1.org/01/06901234100013/10/PA1';
const item = (s: string) => `https://id.gs1.org/01/06903456300011/21/${s}`;
const otherItem = 'https://id.gs1.org/01/06907777000012/21/9';
const spiceLot = 'https://id.gs1.org/01/06902345200019/10/S1';
const pallet = (n: string) => `https://id.gs1.org/00/06903456000000000${n}`;
const row = (identifier: string, role: IdRole): IdentifierRow => ({ identifier, role, quantity: null, uom: null });
let seq = 0;
const event = (type: string, action: string | null, time: string, ...ids: IdentifierRow[]): TraceEvent => ({
  seq: ++seq,
  time: `2026-11-02T${time}:00.000Z`,
  type,
  action,
  ids,
});
const open = { from: null, to: null };
const full: Pick<Reach, 'mode' | 'window' | 'reachedBy'> = { mode: 'full', window: open, reachedBy: 'start' };
const steps = (direction: Direction, x: string, e: TraceEvent, state = full, xEvents: TraceEvent[] = [e]) =>
  nextReaches(direction, x, state, e, xEvents).map((r) => [
    r.identifier,
    r.mode,
    r.reachedBy,
    r.window.from,
    r.window.to,
  ]);
const T = (hhmm: string) => `2026-11-02T${hhmm}:00.000Z`;

describe('trace rules', () => {
  const make = event(
    'TransformationEvent',
    null,
    '10:00',
    row(porkLot, 'inputEpcClass'),
    row(otherItem, 'input'),
    row(lot('B'), 'outputEpcClass'),
  );

  it('back: an output leads to the inputs, up to the transformation', () => {
    expect(steps('back', lot('B'), make)).toEqual([
      [porkLot, 'full', 'input', null, T('10:00')],
      [otherItem, 'full', 'input', null, T('10:00')],
    ]);
    expect(steps('back', porkLot, make)).toEqual([]);
  });

  it('forward: an input leads to the outputs, from the transformation on', () => {
    expect(steps('forward', porkLot, make)).toEqual([[lot('B'), 'full', 'output', T('10:00'), null]]);
    expect(steps('forward', lot('B'), make)).toEqual([]);
  });

  const pack = event(
    'AggregationEvent',
    'ADD',
    '11:00',
    row(pallet('1'), 'parent'),
    row(item('1'), 'child'),
    row(spiceLot, 'childEpcClass'),
  );
  const unpack = event('AggregationEvent', 'DELETE', '15:00', row(pallet('1'), 'parent'), row(item('1'), 'child'));

  it('back: a parent leads to its contents, up to the packing', () => {
    expect(steps('back', pallet('1'), pack)).toEqual([
      [item('1'), 'full', 'content', null, T('11:00')],
      [spiceLot, 'full', 'content', null, T('11:00')],
    ]);
  });

  it('both ways: contents lead to their container as a carrier, until they are unpacked', () => {
    for (const direction of ['back', 'forward'] as const) {
      expect(steps(direction, item('1'), pack, full, [pack, unpack])).toEqual([
        [pallet('1'), 'carrier', 'container', T('11:00'), T('15:00')],
      ]);
    }
    // Never unpacked (as far as the events say): carried to the end of the item's own window.
    expect(steps('back', spiceLot, pack, { ...full, window: { from: null, to: T('12:00') } })).toEqual([
      [pallet('1'), 'carrier', 'container', T('11:00'), T('12:00')],
    ]);
    expect(containmentEnd(item('1'), pallet('1'), pack, [unpack, pack])).toBe(T('15:00'));
    expect(containmentEnd(item('1'), pallet('2'), pack, [unpack, pack])).toBeNull();
  });

  it('forward: unpacking a parent leads to the unpacked contents; packing it does not', () => {
    expect(steps('forward', pallet('1'), unpack)).toEqual([[item('1'), 'full', 'content', T('15:00'), null]]);
    expect(steps('forward', pallet('1'), pack)).toEqual([]);
  });

  it('a carrier follows only further containers', () => {
    const carrier: Pick<Reach, 'mode' | 'window' | 'reachedBy'> = {
      mode: 'carrier',
      window: open,
      reachedBy: 'container',
    };
    expect(steps('back', pallet('1'), pack, carrier)).toEqual([]);
    expect(steps('forward', pallet('1'), unpack, carrier)).toEqual([]);
    const onTruck = event('AggregationEvent', 'ADD', '12:00', row(pallet('9'), 'parent'), row(pallet('1'), 'child'));
    expect(steps('back', pallet('1'), onTruck, carrier)).toEqual([
      [pallet('9'), 'carrier', 'container', T('12:00'), null],
    ]);
  });

  it('counts the EPCs of a TransactionEvent with a parentID as its contents', () => {
    const tx = event('TransactionEvent', 'ADD', '13:00', row(pallet('1'), 'parent'), row(item('1'), 'epc'));
    expect(steps('back', pallet('1'), tx)).toEqual([[item('1'), 'full', 'content', null, T('13:00')]]);
    expect(steps('forward', item('1'), tx)).toEqual([[pallet('1'), 'carrier', 'container', T('13:00'), null]]);
    const objectEvent = event('ObjectEvent', 'ADD', '13:00', row(item('1'), 'epc'), row(item('2'), 'epc'));
    expect(steps('back', item('1'), objectEvent)).toEqual([]);
  });

  it('links items and their lot only when one list names both, with the same GTIN', () => {
    const commissioning = event(
      'ObjectEvent',
      'ADD',
      '09:00',
      row(item('1'), 'epc'),
      row(item('2'), 'epc'),
      row(otherItem, 'epc'),
      row(lot('B'), 'epcClass'),
    );
    expect(steps('back', lot('B'), commissioning)).toEqual([
      [item('1'), 'full', 'class-instance', null, null],
      [item('2'), 'full', 'class-instance', null, null],
    ]);
    expect(steps('forward', item('1'), commissioning)).toEqual([[lot('B'), 'full', 'class-instance', null, null]]);
    // Reached through the link: no way on to the siblings.
    expect(steps('back', lot('B'), commissioning, { ...full, reachedBy: 'class-instance' })).toEqual([]);
    // Different lists (inputs and outputs) do not link, nor does a GTIN match alone across events.
    const mixed = event('TransformationEvent', null, '10:00', row(item('1'), 'input'), row(lot('B'), 'outputEpcClass'));
    expect(steps('forward', item('1'), mixed)).toEqual([[lot('B'), 'full', 'output', T('10:00'), null]]);
  });

  it('merges reaches: full wins, windows widen, and says when something changed', () => {
    const a: Reach = {
      identifier: 'x',
      mode: 'carrier',
      window: { from: T('10:00'), to: T('12:00') },
      reachedBy: 'container',
      via: 1,
    };
    expect(mergeReach(undefined, a)).toEqual({ reach: a, changed: true });
    expect(mergeReach(a, { ...a, window: { from: T('11:00'), to: T('11:30') } })).toEqual({ reach: a, changed: false });
    const wider = mergeReach(a, { ...a, window: { from: T('09:00'), to: T('11:00') }, via: 2 });
    expect(wider).toEqual({ reach: { ...a, window: { from: T('09:00'), to: T('12:00') } }, changed: true });
    const upgraded = mergeReach(a, {
      ...a,
      mode: 'full',
      reachedBy: 'input',
      window: { from: null, to: T('10:30') },
      via: 3,
    });
    expect(upgraded).toEqual({
      reach: { identifier: 'x', mode: 'full', window: { from: null, to: T('12:00') }, reachedBy: 'input', via: 3 },
      changed: true,
    });
  });
});
