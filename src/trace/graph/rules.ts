/**
 * The trace rules: from one identifier and one event that names it, which identifiers the trace
 * follows next, in which mode and over which time window. Pure; `walker.ts` applies them breadth
 * first. The rules (also in docs/ARCHITECTURE.md, "Trace"):
 *
 * - Every event that names a reached identifier inside its window is in the trace, whatever role
 *   the identifier plays there (EPCIS 2.0 §7.3: epcList, quantityList, parentID, childEPCs,
 *   childQuantityList, input and output lists).
 * - Back (towards origins): an identifier output by a TransformationEvent leads to that event's
 *   inputs, up to the event's time; a parent (AggregationEvent, AssociationEvent, or a
 *   TransactionEvent's parentID) leads to the contents the event names, up to its time.
 * - Forward (towards consumers): an input leads to the transformation's outputs, from its time on;
 *   a parent that a DELETE event unpacks leads to the unpacked contents, from its time on.
 * - Both ways, contents lead to their container (ADD or OBSERVE: packed into it) as a *carrier*,
 *   for the time they were inside it: from the packing to the first DELETE that names them with
 *   the same parent (EPCIS 2.0 §7.3.3: an event on a parent implies its children). A carrier
 *   contributes its own events in that window and its own containers; its other contents are not
 *   followed (they are not origins, nor recipients, of what we trace). Forward, a carrier consumed
 *   by a transformation still leads to the outputs.
 * - Class ↔ instance: an event whose EPC list names serialised items (sgtin) and whose matching
 *   quantity list names a lot class (lgtin) of the same GTIN links them: they are traced as one.
 *   An sgtin carries no lot, so nothing else links them (not a GTIN match alone). A lot reached
 *   from one of its items does not lead on to the item's siblings, nor an item reached from its
 *   lot to the lot's other items.
 */
import type { IdentifierRow, IdRole } from './event-fields.ts';
import { gtinOf } from './identifiers.ts';

/** Back: towards origins. Forward: towards consumers. */
export type Direction = 'back' | 'forward';

/** `full`: follow every rule of the direction. `carrier`: a container, followed only while it carried what we trace. */
export type Mode = 'full' | 'carrier';

/** Inclusive bounds on `event_time` (UTC ISO-8601 text, so text order is time order); null: open. */
export type Window = { from: string | null; to: string | null };

/** An event as the walker sees it: its time, type, action and the identifiers it names. */
export type TraceEvent = {
  seq: number;
  time: string;
  type: string;
  action: string | null;
  ids: IdentifierRow[];
};

/** How an identifier came into the trace, relative to the identifier that led to it. */
export type ReachedBy = 'start' | 'input' | 'output' | 'container' | 'content' | 'class-instance';

/** An identifier in the trace: how it is followed, over which window, and which event led to it. */
export type Reach = { identifier: string; mode: Mode; window: Window; reachedBy: ReachedBy; via: number | null };

const INPUT_ROLES: ReadonlySet<IdRole> = new Set(['input', 'inputEpcClass']);
const OUTPUT_ROLES: ReadonlySet<IdRole> = new Set(['output', 'outputEpcClass']);

/** Instance role → the quantity-list role of the same list family. */
const CLASS_ROLE: Partial<Record<IdRole, IdRole>> = {
  epc: 'epcClass',
  child: 'childEpcClass',
  input: 'inputEpcClass',
  output: 'outputEpcClass',
};
const INSTANCE_ROLE: Partial<Record<IdRole, IdRole>> = Object.fromEntries(
  Object.entries(CLASS_ROLE).map(([instance, cls]) => [cls, instance]),
);

/** Whether the event time lies in the window. */
export function inWindow(window: Window, time: string): boolean {
  return (window.from === null || time >= window.from) && (window.to === null || time <= window.to);
}

/**
 * Whether `role` names contents of the event's parent: children of aggregations and associations,
 * and the EPCs of a TransactionEvent that has a parentID (EPCIS 2.0 §7.3.5).
 */
export function isContentRole(event: TraceEvent, role: IdRole): boolean {
  if (role === 'child' || role === 'childEpcClass') return true;
  return event.type === 'TransactionEvent' && (role === 'epc' || role === 'epcClass');
}

const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
const earlier = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

/**
 * When `content`, packed into `parent` by `packing`, left it: the time of the first later DELETE
 * event naming it as content of that parent, or null (still inside, as far as the events say).
 */
export function containmentEnd(
  content: string,
  parent: string,
  packing: TraceEvent,
  contentEvents: readonly TraceEvent[],
): string | null {
  let end: string | null = null;
  for (const e of contentEvents) {
    if (e.seq === packing.seq || e.action !== 'DELETE') continue;
    if (e.time < packing.time || (e.time === packing.time && e.seq < packing.seq)) continue;
    const unpacks = e.ids.some((r) => r.identifier === content && isContentRole(e, r.role));
    if (unpacks && e.ids.some((r) => r.role === 'parent' && r.identifier === parent)) end = earlier(end, e.time);
  }
  return end;
}

/**
 * The identifiers to follow from `x` (reached as `state`) through `event`, which names it and lies
 * in its window. `xEvents` are all the events naming `x` (to find when a container let it go).
 */
export function nextReaches(
  direction: Direction,
  x: string,
  state: Pick<Reach, 'mode' | 'window' | 'reachedBy'>,
  event: TraceEvent,
  xEvents: readonly TraceEvent[],
): Reach[] {
  const out: Reach[] = [];
  const via = event.seq;
  const follow = (rows: IdentifierRow[], mode: Mode, window: Window, reachedBy: ReachedBy) => {
    for (const r of rows) if (r.identifier !== x) out.push({ identifier: r.identifier, mode, window, reachedBy, via });
  };
  const rows = (keep: (r: IdentifierRow) => boolean) => event.ids.filter(keep);
  const t = event.time;

  for (const role of new Set(event.ids.filter((r) => r.identifier === x).map((r) => r.role))) {
    if (isContentRole(event, role) && (event.action === 'ADD' || event.action === 'OBSERVE')) {
      for (const parent of rows((r) => r.role === 'parent')) {
        const end = containmentEnd(x, parent.identifier, event, xEvents);
        const window = { from: later(t, state.window.from), to: earlier(end, state.window.to) };
        follow([parent], 'carrier', window, 'container');
      }
    }
    if (direction === 'back' && state.mode === 'full') {
      if (OUTPUT_ROLES.has(role))
        follow(
          rows((r) => INPUT_ROLES.has(r.role)),
          'full',
          { from: null, to: t },
          'input',
        );
      if (role === 'parent')
        follow(
          rows((r) => isContentRole(event, r.role)),
          'full',
          { from: null, to: t },
          'content',
        );
    }
    if (direction === 'forward') {
      if (INPUT_ROLES.has(role))
        follow(
          rows((r) => OUTPUT_ROLES.has(r.role)),
          'full',
          { from: t, to: null },
          'output',
        );
      if (role === 'parent' && event.action === 'DELETE' && state.mode === 'full')
        follow(
          rows((r) => isContentRole(event, r.role)),
          'full',
          { from: t, to: null },
          'content',
        );
    }
    // Not from an identifier itself reached through the link: a lot reached from one of its items
    // is not a way to that item's siblings (they are neither its origins nor its recipients).
    const linked = state.reachedBy === 'class-instance' ? undefined : (CLASS_ROLE[role] ?? INSTANCE_ROLE[role]);
    const gtin = linked ? gtinOf(x) : undefined;
    if (linked && gtin)
      follow(
        rows((r) => r.role === linked && gtinOf(r.identifier) === gtin),
        state.mode,
        state.window,
        'class-instance',
      );
  }
  return out;
}

/**
 * Merges a new way of reaching an identifier into what is known: `full` wins over `carrier`, and
 * windows widen to cover both (a hull: a little more than the union, never less). `changed` says
 * whether the identifier must be looked at again.
 */
export function mergeReach(known: Reach | undefined, next: Reach): { reach: Reach; changed: boolean } {
  if (!known) return { reach: next, changed: true };
  const mode: Mode = known.mode === 'full' || next.mode === 'full' ? 'full' : 'carrier';
  const window: Window = {
    from: known.window.from === null || next.window.from === null ? null : earlier(known.window.from, next.window.from),
    to: known.window.to === null || next.window.to === null ? null : later(known.window.to, next.window.to),
  };
  const changed = mode !== known.mode || window.from !== known.window.from || window.to !== known.window.to;
  if (!changed) return { reach: known, changed };
  const upgraded = mode !== known.mode;
  return {
    reach: {
      identifier: known.identifier,
      mode,
      window,
      reachedBy: upgraded ? next.reachedBy : known.reachedBy,
      via: upgraded ? next.via : known.via,
    },
    changed,
  };
}
