/**
 * The trace graph drawn as SVG, left to right by time, with no library: nodes are taken in order of
 * their first event and fill a column until a node linked to one already in it comes, which opens
 * the next column — so time never runs leftwards and every edge points rightwards.
 */
import type { GraphEdge, GraphNode, TraceGraph } from './schema.ts';

const NODE_W = 168;
const NODE_H = 42;
const COL_GAP = 64;
const ROW_GAP = 14;
const MAX_ROWS = 10;
const MARGIN = 16;
const LEGEND_H = 34;

const FILL: Record<GraphNode['kind'], string> = {
  lot: '#fde68a',
  item: '#bfdbfe',
  product: '#e5e7eb',
  container: '#c7d2fe',
  location: '#bbf7d0',
  party: '#fbcfe8',
  identifier: '#e5e7eb',
};

const KIND_LABEL: Record<GraphNode['kind'], string> = {
  lot: '批次',
  item: '单品',
  product: '产品',
  container: '物流单元',
  location: '地点',
  party: '主体',
  identifier: '标识',
};

const STROKE: Record<GraphEdge['relation'], { color: string; dash: string; label: string }> = {
  'transformed-into': { color: '#b45309', dash: '', label: '加工转化' },
  'packed-into': { color: '#4338ca', dash: '6 3', label: '装入' },
  'unpacked-from': { color: '#4338ca', dash: '2 3', label: '拆出' },
  at: { color: '#059669', dash: '', label: '发生地' },
  'shipped-to': { color: '#dc2626', dash: '', label: '发往' },
};

/** Escapes text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const clip = (text: string, max: number) =>
  [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;

/** Node positions: column and row of each node id. */
export function layoutColumns(graph: TraceGraph): Map<string, { col: number; row: number }> {
  const order = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const incoming = new Map<string, Set<string>>();
  for (const e of graph.edges) {
    const a = order.get(e.from);
    const b = order.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    const [from, to] = a < b ? [e.from, e.to] : [e.to, e.from];
    incoming.set(to, (incoming.get(to) ?? new Set()).add(from));
  }
  const placed = new Map<string, { col: number; row: number }>();
  let col = 0;
  let members = new Set<string>();
  for (const node of graph.nodes) {
    const linked = [...(incoming.get(node.id) ?? [])].some((u) => members.has(u));
    if (members.size > 0 && (linked || members.size >= MAX_ROWS)) {
      col += 1;
      members = new Set();
    }
    placed.set(node.id, { col, row: members.size });
    members.add(node.id);
  }
  return placed;
}

/** `2026-11-02T06:00:00.000Z` → `11-02 14:00` in China time (UTC+8), for node captions. */
function shortTime(utc: string): string {
  const local = new Date(Date.parse(utc) + 8 * 3_600_000).toISOString();
  return `${local.slice(5, 10)} ${local.slice(11, 16)}`;
}

/** The graph as a standalone SVG document (inline-able in HTML). */
export function traceSvg(graph: TraceGraph, start: string): string {
  const at = layoutColumns(graph);
  const cols = Math.max(1, ...[...at.values()].map((p) => p.col + 1));
  const rows = Math.max(1, ...[...at.values()].map((p) => p.row + 1));
  const width = MARGIN * 2 + cols * NODE_W + (cols - 1) * COL_GAP;
  const height = MARGIN * 2 + LEGEND_H + rows * NODE_H + (rows - 1) * ROW_GAP;
  const x = (id: string) => MARGIN + (at.get(id)?.col ?? 0) * (NODE_W + COL_GAP);
  const y = (id: string) => MARGIN + LEGEND_H + (at.get(id)?.row ?? 0) * (NODE_H + ROW_GAP);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-label="追溯图 trace graph">`,
    '<defs>',
    ...Object.entries(STROKE).map(
      ([rel, s]) =>
        `<marker id="arrow-${rel}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${s.color}"/></marker>`,
    ),
    '</defs>',
  ];
  Object.entries(STROKE).forEach(([rel, s], i) => {
    const lx = MARGIN + i * 110;
    out.push(
      `<line x1="${lx}" y1="${MARGIN + 8}" x2="${lx + 28}" y2="${MARGIN + 8}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}" marker-end="url(#arrow-${rel})"/>`,
      `<text x="${lx + 34}" y="${MARGIN + 12}">${s.label}</text>`,
    );
  });

  const merged = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) {
    if (!at.has(e.from) || !at.has(e.to) || e.from === e.to) continue;
    const key = `${e.from}\n${e.to}\n${e.relation}`;
    merged.set(key, [...(merged.get(key) ?? []), e]);
  }
  for (const list of merged.values()) {
    const e = list[0]!;
    const [a, b] = (at.get(e.from)?.col ?? 0) <= (at.get(e.to)?.col ?? 0) ? [e.from, e.to] : [e.to, e.from];
    const x1 = x(a) + NODE_W;
    const y1 = y(a) + NODE_H / 2;
    const x2 = x(b);
    const y2 = y(b) + NODE_H / 2;
    const bend = Math.max(24, (x2 - x1) / 2);
    const s = STROKE[e.relation];
    // Drawn left to right; the arrowhead still says which way the event went.
    const marker = a === e.from ? 'marker-end' : 'marker-start';
    const title = list.map(
      (l) => `${l.bizStep ?? l.eventType} ${l.time}${l.quantity !== null ? ` ${l.quantity} ${l.uom ?? ''}` : ''}`,
    );
    out.push(
      `<path d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" fill="none" stroke="${s.color}" stroke-width="${e.relation === 'transformed-into' ? 2.5 : 1.5}" stroke-dasharray="${s.dash}" ${marker}="url(#arrow-${e.relation})"><title>${xmlEscape(`${s.label}: ${title.join('; ')}`)}</title></path>`,
    );
  }

  for (const node of graph.nodes) {
    const nx = x(node.id);
    const ny = y(node.id);
    const isStart = node.id === start;
    out.push(
      `<g class="node" data-id="${xmlEscape(node.id)}"><title>${xmlEscape(`${node.id}\n${node.firstTime} … ${node.lastTime} · ${node.eventCount} 个事件`)}</title>`,
      `<rect x="${nx}" y="${ny}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${FILL[node.kind]}" stroke="${isStart ? '#dc2626' : '#475569'}" stroke-width="${isStart ? 3 : 1}"/>`,
      `<text x="${nx + 8}" y="${ny + 17}" font-weight="bold">${xmlEscape(clip(`${KIND_LABEL[node.kind]} ${node.label.replace(/^(批次|单品|产品|托盘|主体) /, '')}`, 22))}</text>`,
      `<text x="${nx + 8}" y="${ny + 33}" fill="#334155">${xmlEscape(shortTime(node.firstTime))}</text>`,
      '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
