/**
 * Reads the events of an EPCIS 2.0 XML document (EPCISDocument or EPCISQueryDocument) into the
 * syntax-neutral {@link HashEvent} model: elements and attributes become fields named
 * `localName` (no namespace, i.e. EPCIS standard fields) or `{namespaceURI}localName` (extensions).
 */
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { EventHashError } from './errors.ts';
import type { HashEvent, HashNode } from './tree.ts';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const XMLNS = 'http://www.w3.org/2000/xmlns/';
/** XML Schema instance attributes (`xsi:type`, `xsi:schemaLocation`) annotate the XML syntax, not the event. */
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** `{namespace}local` for a namespaced element or attribute, else its local name. */
function qualifiedName(node: { namespaceURI: string | null; localName: string | null; nodeName: string }): string {
  const local = node.localName ?? node.nodeName;
  return node.namespaceURI ? `{${node.namespaceURI}}${local}` : local;
}

const isElement = (node: Node): node is Element => node.nodeType === ELEMENT_NODE;

/**
 * The element children of `parent`, with EPCIS 1.x-style `<extension>` / `<baseExtension>`
 * wrappers (still used by the EPCIS 2.0 XML binding, e.g. around `quantityList`) dissolved.
 */
function elementChildren(parent: Element): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (!isElement(child)) continue;
    if (!child.namespaceURI && (child.localName === 'extension' || child.localName === 'baseExtension')) {
      out.push(...elementChildren(child));
    } else out.push(child);
  }
  return out;
}

/** The text of an element before its first child element (the element's own value), trimmed. */
function ownText(el: Element): string {
  let text = '';
  for (let child = el.firstChild; child && !isElement(child); child = child.nextSibling) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) text += child.nodeValue ?? '';
  }
  return text.trim();
}

/** Child paths `…/name[n]`, numbering same-named siblings from 1 as XPath does. */
function childPaths(elements: readonly Element[], parentPath: string): string[] {
  const seen = new Map<string, number>();
  return elements.map((el) => {
    const n = (seen.get(el.nodeName) ?? 0) + 1;
    seen.set(el.nodeName, n);
    return `${parentPath}/${el.nodeName}[${n}]`;
  });
}

/**
 * An element as a field: attributes and child elements as its fields. Namespace declarations and
 * `xsi:` attributes are left out: `<ext:int xsi:type="xsd:integer">10</ext:int>` is JSON-LD's
 * `"ext:int": 10`, so the XML and JSON-LD forms of an event hash the same (CBV 2.0 §8.9 requirements).
 */
function elementToNode(el: Element, path: string): HashNode {
  const children: HashNode[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const attr = el.attributes.item(i)!;
    if (attr.namespaceURI === XMLNS || attr.namespaceURI === XSI || attr.nodeName === 'xmlns') continue;
    if (attr.nodeName.startsWith('xmlns:')) continue;
    children.push({
      name: qualifiedName(attr),
      value: attr.value.trim(),
      children: [],
      path: `${path}/@${attr.nodeName}`,
    });
  }
  const elements = elementChildren(el);
  const paths = childPaths(elements, path);
  elements.forEach((child, i) => {
    children.push(elementToNode(child, paths[i]!));
  });
  return { name: qualifiedName(el), value: ownText(el), children, path };
}

/** All elements below `root` (document order) whose local name is `localName`, with their paths. */
function findElements(root: Element, localName: string, path: string): Array<[Element, string]> {
  const out: Array<[Element, string]> = [];
  const elements = elementChildren(root);
  const paths = childPaths(elements, path);
  elements.forEach((el, i) => {
    if (el.localName === localName) out.push([el, paths[i]!]);
    else out.push(...findElements(el, localName, paths[i]!));
  });
  return out;
}

/** Parses XML, turning every parser error (not warnings) into an {@link EventHashError}. */
function parseXml(body: string): Element {
  let root: Element | null;
  try {
    const parser = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    });
    root = parser.parseFromString(body.replace(/^\uFEFF/, ''), 'text/xml').documentElement;
  } catch (error) {
    throw new EventHashError(`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`, '');
  }
  if (!root) throw new EventHashError('XML document has no root element', '');
  return root;
}

/** What an XML EPCIS document contributes to hashing: its events and the fields it declares ignorable. */
export type XmlEvents = { events: HashEvent[]; ignoreFields: Set<string> };

/**
 * Reads every event of every `EventList` (EPCISBody/EventList, or the query results' resultsBody)
 * in document order, plus the names listed in a root-level `ignoreFields` extension element
 * (`<x:ignoreFields><example:captureID/></x:ignoreFields>`).
 * @throws EventHashError if the XML is not well-formed or has no `EventList`.
 */
export function readXmlDocument(body: string): XmlEvents {
  const root = parseXml(body);
  const rootPath = `/${root.nodeName}`;
  const lists = findElements(root, 'EventList', rootPath);
  if (lists.length === 0) throw new EventHashError('no EventList element in the XML document', rootPath);
  const events: HashEvent[] = [];
  for (const [list, listPath] of lists) {
    const elements = elementChildren(list);
    const paths = childPaths(elements, listPath);
    elements.forEach((el, i) => {
      const node = elementToNode(el, paths[i]!);
      events.push({ eventType: node.name, fields: node.children, path: node.path });
    });
  }
  const ignoreFields = new Set<string>();
  for (const el of elementChildren(root)) {
    if (el.localName !== 'ignoreFields') continue;
    for (const field of elementChildren(el)) ignoreFields.add(qualifiedName(field));
  }
  return { events, ignoreFields };
}
