// One document model, two renderings: GeoReport v2 XML (schemaless, no namespace, UTF-8 with the
// declaration, elements in the specification's order) and its JSON form by the Spark convention
// (a list element becomes an array of its items, any other element an object, a leaf its value).

/** A leaf's value: null renders as an empty element in XML and as `null` in JSON. */
export type Leaf = string | number | boolean | null;

/** A node of an Open311 document. */
export type XNode = { name: string; value: Leaf } | { name: string; children: readonly XNode[]; list?: boolean };

/** A leaf element, `<name>value</name>`. */
export function leaf(name: string, value: Leaf | undefined): XNode {
  return { name, value: value ?? null };
}

/** An element whose children have different names: a JSON object. */
export function element(name: string, children: readonly XNode[]): XNode {
  return { name, children };
}

/** An element whose children are items of one kind: a JSON array. */
export function list(name: string, children: readonly XNode[]): XNode {
  return { name, children, list: true };
}

// XML 1.0 §2.2 `Char`: anything else cannot appear in a document at all, escaped or not. With the
// `u` flag a lone surrogate is one unmatched code point, so it goes too.
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and drops characters XML cannot carry. */
export function escapeXml(text: string): string {
  return text.replace(notXmlChar, '').replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

function render(node: XNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  if ('value' in node) {
    out.push(
      node.value === null
        ? `${pad}<${node.name}/>`
        : `${pad}<${node.name}>${escapeXml(String(node.value))}</${node.name}>`,
    );
    return;
  }
  if (node.children.length === 0) {
    out.push(`${pad}<${node.name}/>`);
    return;
  }
  out.push(`${pad}<${node.name}>`);
  for (const child of node.children) render(child, depth + 1, out);
  out.push(`${pad}</${node.name}>`);
}

/** The XML document, with the declaration GeoReport v2 requires (§ Encoding). */
export function toXml(root: XNode): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  render(root, 0, out);
  return `${out.join('\n')}\n`;
}

/** The JSON value of a node by the Spark convention. */
export function toSparkJson(node: XNode): unknown {
  if ('value' in node) return node.value;
  if (node.list) return node.children.map(toSparkJson);
  return Object.fromEntries(node.children.map((c) => [c.name, toSparkJson(c)]));
}
