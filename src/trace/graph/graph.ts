/**
 * A trace as a graph: nodes are the identifiers the walk reached and the locations their events
 * happened at; edges are events linking two nodes (see `graphEdge` in schema.ts for the relations).
 */
import { bizStepOf, destinationsOf, type IdentifierRow, placeOf, sourcesOf } from './event-fields.ts';
import { describeIdentifier } from './identifiers.ts';
import { isContentRole } from './rules.ts';
import type { GraphEdge, GraphNode, TraceGraph } from './schema.ts';
import type { Trace, TracedEvent } from './tracer.ts';

/** Where an event happened: its business location, read point, or (shipping) its source location. */
export function whereOf(event: TracedEvent): string | null {
  return placeOf(event.document) ?? sourcesOf(event.document).location ?? null;
}

/** Builds the graph of a trace. */
export function traceGraphOf(trace: Trace): TraceGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const touch = (id: string, time: string, reachedBy: GraphNode['reachedBy']) => {
    const node = nodes.get(id);
    if (node) {
      if (time < node.firstTime) node.firstTime = time;
      if (time > node.lastTime) node.lastTime = time;
      node.eventCount += 1;
      return;
    }
    const info = describeIdentifier(id);
    const kind = reachedBy === null && info.kind === 'identifier' ? 'location' : info.kind;
    nodes.set(id, { id, kind, label: info.label, reachedBy, firstTime: time, lastTime: time, eventCount: 1 });
  };

  for (const event of trace.events) {
    const named = event.ids.filter((r) => trace.reached.has(r.identifier));
    for (const id of new Set(named.map((r) => r.identifier))) touch(id, event.time, trace.reached.get(id)!.reachedBy);
    const base = {
      eventID: event.eventId,
      eventType: event.type,
      bizStep: bizStepOf(event.document),
      action: event.action,
      time: event.time,
    };
    const edge = (from: IdentifierRow | string, to: string, relation: GraphEdge['relation'], q?: IdentifierRow) => {
      const fromId = typeof from === 'string' ? from : from.identifier;
      edges.push({
        id: `${event.seq}:${edges.length}`,
        from: fromId,
        to,
        relation,
        ...base,
        quantity: q?.quantity ?? null,
        uom: q?.uom ?? null,
      });
    };

    if (event.type === 'TransformationEvent') {
      const inputs = named.filter((r) => r.role === 'input' || r.role === 'inputEpcClass');
      const outputs = named.filter((r) => r.role === 'output' || r.role === 'outputEpcClass');
      for (const i of inputs) for (const o of outputs) edge(i, o.identifier, 'transformed-into', o);
    }
    const parent = named.find((r) => r.role === 'parent');
    if (parent) {
      for (const c of named.filter((r) => isContentRole(event, r.role))) {
        if (event.action === 'DELETE') edge(parent, c.identifier, 'unpacked-from', c);
        else edge(c, parent.identifier, 'packed-into', c);
      }
    }
    if (event.type === 'AggregationEvent' || event.type === 'AssociationEvent') continue;
    const where = whereOf(event);
    const destination = destinationsOf(event.document).location ?? null;
    if (where) touch(where, event.time, null);
    if (destination && destination !== where) touch(destination, event.time, null);
    for (const r of named) {
      if (where) edge(r, where, 'at', r);
      if (destination && destination !== where) edge(r, destination, 'shipped-to', r);
    }
  }
  const sorted = [...nodes.values()].sort((a, b) =>
    a.firstTime < b.firstTime ? -1 : a.firstTime > b.firstTime ? 1 : a.id.localeCompare(b.id),
  );
  return { nodes: sorted, edges };
}
