import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode, TraceGraph } from './schema.ts';
import { layoutColumns, traceSvg } from './svg.ts';

const node = (id: string, firstTime: string, kind: GraphNode['kind'] = 'lot'): GraphNode => ({
  id,
  kind,
  label: `批次 ${id}`,
  reachedBy: kind === 'location' ? null : 'input',
  firstTime: `2026-11-02T${firstTime}:00.000Z`,
  lastTime: `2026-11-02T${firstTime}:00.000Z`,
  eventCount: 1,
});
const edge = (from: string, to: string, relation: GraphEdge['relation'] = 'transformed-into'): GraphEdge => ({
  id: `${from}-${to}`,
  from,
  to,
  relation,
  eventID: 'urn:uuid:1',
  eventType: 'TransformationEvent',
  bizStep: 'commissioning',
  action: null,
  time: '2026-11-02T10:00:00.000Z',
  quantity: 1,
  uom: 'KGM',
});

describe('trace graph drawing', () => {
  const graph: TraceGraph = {
    nodes: [
      node('a', '01:00'),
      node('b', '02:00'),
      node('c', '03:00'),
      node('x', '03:30', 'location'),
      node('d', '04:00'),
    ],
    edges: [edge('a', 'c'), edge('b', 'c'), edge('c', 'd'), edge('d', 'x', 'at')],
  };

  it('lays nodes out left to right by time, every edge pointing rightwards', () => {
    const at = layoutColumns(graph);
    const cols = graph.nodes.map((n) => at.get(n.id)!.col);
    expect(cols).toEqual([...cols].sort((p, q) => p - q));
    for (const e of graph.edges) {
      const [from, to] = [at.get(e.from)!, at.get(e.to)!];
      const [early, late] =
        graph.nodes.findIndex((n) => n.id === e.from) < graph.nodes.findIndex((n) => n.id === e.to)
          ? [from, to]
          : [to, from];
      expect(late.col, `${e.from} → ${e.to}`).toBeGreaterThan(early.col);
    }
    expect(at.get('a')).toEqual({ col: 0, row: 0 });
    expect(at.get('b')).toEqual({ col: 0, row: 1 });
  });

  it('draws one box per node and escapes what partners wrote', () => {
    const svg = traceSvg(
      { nodes: [...graph.nodes, node('<script>alert(1)</script>', '05:00', 'identifier')], edges: graph.edges },
      'a',
    );
    expect(svg.match(/<g class="node"/g)).toHaveLength(6);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;');
    expect(svg.match(/<path d="M[\d.]+,[\d.]+ C/g)).toHaveLength(4);
    expect(svg).toContain('stroke="#dc2626" stroke-width="3"');
  });
});
