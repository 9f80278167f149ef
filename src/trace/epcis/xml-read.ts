/**
 * EPCIS 2.0 XML events → JSON-LD, walking the table in `xml-map.ts` (the document level is in
 * `xml-document.ts`). Every JSON node created remembers the XML path it came from, so a validation
 * error on the JSON-LD form can name the XML element (`/epcis:EPCISDocument/…/bizStep[1]`).
 */
import type { Element, Node } from '@xmldom/xmldom';
import { dispositions, toBare } from './vocabulary.ts';
import {
  type AttributeKind,
  ERROR_DECLARATION,
  EVENT_FIELDS,
  type FieldSpec,
  SENSOR_METADATA,
  SENSOR_REPORT,
  STANDARD_PREFIXES,
  XML_NS,
} from './xml-map.ts';

type Json = Record<string, unknown>;

const ELEMENT = 1;
const XMLNS = 'http://www.w3.org/2000/xmlns/';
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const isElement = (n: Node): n is Element => n.nodeType === ELEMENT;

/** Child elements, with EPCIS 1.x `<extension>` / `<baseExtension>` wrappers dissolved, each with its path. */
export function children(el: Element, path: string): Array<[Element, string]> {
  const flat: Element[] = [];
  const walk = (parent: Element) => {
    for (let c = parent.firstChild; c; c = c.nextSibling) {
      if (!isElement(c)) continue;
      if (!c.namespaceURI && (c.localName === 'extension' || c.localName === 'baseExtension')) walk(c);
      else flat.push(c);
    }
  };
  walk(el);
  const seen = new Map<string, number>();
  return flat.map((c) => {
    const n = (seen.get(c.nodeName) ?? 0) + 1;
    seen.set(c.nodeName, n);
    return [c, `${path}/${c.nodeName}[${n}]`];
  });
}

/** An element's own text (not its children's), trimmed. */
export function textOf(el: Element): string {
  let out = '';
  for (let c = el.firstChild; c; c = c.nextSibling) if (!isElement(c)) out += c.nodeValue ?? '';
  return out.trim();
}

const isNil = (el: Element) => el.getAttributeNS(XML_NS.xsi, 'nil') === 'true';
/** A JSON pointer one key deeper (RFC 6901 escaping). */
export const pointer = (base: string, key: string | number) =>
  `${base}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** A decimal as a JSON number; anything else stays text so the schema reports it where it is. */
const numberOr = (s: string): number | string => (DECIMAL.test(s) ? Number(s) : s);

/** Reads one document; keeps the namespace → prefix choices and the path map. */
export class Reader {
  readonly paths = new Map<string, string>();
  private readonly prefixOf = new Map<string, string>();
  /** Prefixes this document has bound (the EPCIS context's own may be rebound). */
  private readonly namespaceOf = new Map<string, string>();

  /** The `@context` entry for the prefixes this document used. */
  contextEntry(): Json | undefined {
    const entry: Json = {};
    for (const [ns, prefix] of this.prefixOf) if (STANDARD_PREFIXES[prefix] !== ns) entry[prefix] = ns;
    return Object.keys(entry).length > 0 ? entry : undefined;
  }

  /** `prefix:local` for a namespaced XML name; the XML prefix is kept unless it is taken. */
  key(node: { namespaceURI: string | null; localName: string | null; prefix: string | null; nodeName: string }) {
    const local = node.localName ?? node.nodeName;
    const ns = node.namespaceURI;
    if (!ns) return local;
    let prefix = this.prefixOf.get(ns);
    if (prefix === undefined) {
      // The document's own prefix, even one the EPCIS context defines (a later context entry overrides it).
      const taken = (p: string) => this.namespaceOf.has(p) && this.namespaceOf.get(p) !== ns;
      prefix = node.prefix || 'ns';
      for (let i = 1; taken(prefix); i++) prefix = `${node.prefix || 'ns'}${i}`;
      this.prefixOf.set(ns, prefix);
      this.namespaceOf.set(prefix, ns);
    }
    return `${prefix}:${local}`;
  }

  at<T>(ptr: string, path: string, value: T): T {
    this.paths.set(ptr, path);
    return value;
  }

  /** A user extension's value: typed text (`xsi:type`), or an object of its attributes and children. */
  extension(el: Element, path: string, ptr: string): unknown {
    this.paths.set(ptr, path);
    const attrs = this.attributes(el, path, ptr);
    const kids = children(el, path);
    if (kids.length === 0) {
      const value = typed(textOf(el), el.getAttributeNS(XML_NS.xsi, 'type'));
      return Object.keys(attrs).length > 0 ? { ...attrs, '@value': value } : value;
    }
    return { ...attrs, ...this.members(kids, ptr, (c, p, ptr2) => this.extension(c, p, ptr2)) };
  }

  /** Attributes other than namespace declarations and `xsi:`, as `prefix:local` keys. */
  private attributes(el: Element, path: string, ptr: string): Json {
    const out: Json = {};
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i);
      if (!a || a.namespaceURI === XMLNS || a.namespaceURI === XML_NS.xsi || a.nodeName.startsWith('xmlns')) continue;
      const key = this.key(a);
      out[key] = this.at(pointer(ptr, key), `${path}/@${a.nodeName}`, a.value.trim());
    }
    return out;
  }

  /** Child elements as JSON members; same-named siblings become an array. */
  members(kids: Array<[Element, string]>, ptr: string, value: (el: Element, path: string, ptr: string) => unknown) {
    const out: Json = {};
    const counts = new Map<string, number>();
    for (const [el] of kids) counts.set(this.key(el), (counts.get(this.key(el)) ?? 0) + 1);
    for (const [el, path] of kids) {
      if (isNil(el)) continue;
      const key = this.key(el);
      if ((counts.get(key) ?? 0) > 1) {
        const list = (out[key] ?? []) as unknown[];
        list.push(value(el, path, pointer(pointer(ptr, key), list.length)));
        out[key] = this.at(pointer(ptr, key), path, list);
      } else out[key] = value(el, path, pointer(ptr, key));
    }
    return out;
  }

  /** An event: standard fields by the table, everything namespaced as an extension. */
  event(el: Element, path: string, ptr: string): Json {
    this.paths.set(ptr, path);
    const event: Json = { type: el.namespaceURI ? this.key(el) : (el.localName ?? el.nodeName) };
    const kids = children(el, path);
    const standard = kids.filter(([c]) => !c.namespaceURI && EVENT_FIELDS[c.localName ?? ''] !== undefined);
    const certification = standard.filter(([c]) => c.localName === 'certificationInfo');
    for (const [c, p] of standard) {
      const name = c.localName ?? '';
      const spec = EVENT_FIELDS[name] as FieldSpec;
      if (spec.kind === 'repeated') continue;
      event[name] = this.field(spec, c, p, pointer(ptr, name));
    }
    if (certification.length === 1)
      event.certificationInfo = this.text(certification[0]!, pointer(ptr, 'certificationInfo'));
    if (certification.length > 1)
      event.certificationInfo = certification.map((c, i) =>
        this.text(c, pointer(pointer(ptr, 'certificationInfo'), i)),
      );
    const rest = kids.filter((k) => !standard.includes(k));
    Object.assign(
      event,
      this.members(rest, ptr, (c, p, ptr2) => this.extension(c, p, ptr2)),
    );
    return event;
  }

  private text([el, path]: [Element, string], ptr: string): string {
    return this.at(ptr, path, textOf(el));
  }

  /** One standard field, by its kind in the table. */
  field(spec: FieldSpec, el: Element, path: string, ptr: string): unknown {
    this.paths.set(ptr, path);
    const kids = () => children(el, path);
    switch (spec.kind) {
      case 'text':
      case 'repeated':
        return textOf(el);
      case 'vocab':
        return toBare(spec.vocab, textOf(el));
      case 'ids':
        return kids().map(([c, p], i) => this.text([c, p], pointer(ptr, i)));
      case 'quantities':
        return kids().map(([c, p], i) => this.quantity(c, p, pointer(ptr, i)));
      case 'location':
        return this.location(el, path, ptr);
      case 'typed':
        return kids().map(([c, p], i) => {
          const item: Json = {};
          const type = c.getAttribute('type');
          if (type)
            item.type = this.at(pointer(pointer(ptr, i), 'type'), `${p}/@type`, toBare(spec.vocab, type.trim()));
          item[spec.item] = this.text([c, p], pointer(pointer(ptr, i), spec.item));
          return this.at(pointer(ptr, i), p, item);
        });
      case 'persistentDisposition': {
        const out: Record<string, string[]> = {};
        for (const [c, p] of kids()) {
          const key = c.localName ?? '';
          const list = out[key] ?? [];
          list.push(this.at(pointer(pointer(ptr, key), list.length), p, toBare(dispositions, textOf(c))));
          out[key] = list;
        }
        return out;
      }
      case 'sensors':
        return kids().map(([c, p], i) => this.sensorElement(c, p, pointer(ptr, i)));
      case 'errorDeclaration':
        return this.errorDeclaration(el, path, ptr);
      case 'ilmd':
        return this.members(kids(), ptr, (c, p, ptr2) => this.extension(c, p, ptr2));
    }
  }

  private quantity(el: Element, path: string, ptr: string): Json {
    this.paths.set(ptr, path);
    const out: Json = {};
    for (const [c, p] of children(el, path)) {
      const key = c.localName ?? '';
      if (isNil(c) || textOf(c) === '') continue;
      out[key] = this.at(pointer(ptr, key), p, key === 'quantity' ? numberOr(textOf(c)) : textOf(c));
    }
    return out;
  }

  private location(el: Element, path: string, ptr: string): Json {
    const kids = children(el, path);
    const id = kids.find(([c]) => !c.namespaceURI && c.localName === 'id');
    const rest = kids.filter((k) => k !== id);
    return {
      ...(id ? { id: this.text(id, pointer(ptr, 'id')) } : {}),
      ...this.members(rest, ptr, (c, p, ptr2) => this.extension(c, p, ptr2)),
    };
  }

  private sensorElement(el: Element, path: string, ptr: string): Json {
    this.paths.set(ptr, path);
    const out: Json = {};
    const reports: Json[] = [];
    const rest: Array<[Element, string]> = [];
    for (const [c, p] of children(el, path)) {
      if (!c.namespaceURI && c.localName === 'sensorMetadata')
        out.sensorMetadata = this.sensorAttributes(c, p, pointer(ptr, 'sensorMetadata'), SENSOR_METADATA);
      else if (!c.namespaceURI && c.localName === 'sensorReport')
        reports.push(this.sensorAttributes(c, p, pointer(pointer(ptr, 'sensorReport'), reports.length), SENSOR_REPORT));
      else rest.push([c, p]);
    }
    out.sensorReport = reports;
    return { ...out, ...this.members(rest, ptr, (c, p, ptr2) => this.extension(c, p, ptr2)) };
  }

  private sensorAttributes(el: Element, path: string, ptr: string, kinds: Record<string, AttributeKind>): Json {
    this.paths.set(ptr, path);
    const out: Json = {};
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i);
      if (!a || a.namespaceURI === XMLNS || a.namespaceURI === XML_NS.xsi || a.nodeName.startsWith('xmlns')) continue;
      const kind = a.namespaceURI ? undefined : kinds[a.localName ?? ''];
      const key = kind === undefined ? this.key(a) : (a.localName ?? '');
      const raw = a.value.trim();
      out[key] = this.at(pointer(ptr, key), `${path}/@${a.nodeName}`, attributeValue(kind, raw));
    }
    return out;
  }

  private errorDeclaration(el: Element, path: string, ptr: string): Json {
    const kids = children(el, path);
    const standard = kids.filter(([c]) => !c.namespaceURI && c.localName && c.localName in ERROR_DECLARATION);
    const out: Json = {};
    for (const [c, p] of standard) {
      const name = c.localName as keyof typeof ERROR_DECLARATION;
      out[name] = this.field(ERROR_DECLARATION[name], c, p, pointer(ptr, name));
    }
    const rest = kids.filter((k) => !standard.includes(k));
    return { ...out, ...this.members(rest, ptr, (c, p, ptr2) => this.extension(c, p, ptr2)) };
  }
}

function attributeValue(kind: AttributeKind | undefined, raw: string): unknown {
  if (kind === 'number') return numberOr(raw);
  if (kind === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  if (kind !== undefined && kind !== 'text') return toBare(kind.vocab, raw);
  return raw;
}

/** Text typed by `xsi:type` (`xsd:integer` → number, `xsd:boolean` → boolean), else the text. */
function typed(text: string, xsiType: string | null): unknown {
  const local = xsiType?.slice(xsiType.indexOf(':') + 1) ?? '';
  if (/^(decimal|integer|int|long|short|byte|float|double|nonNegativeInteger|positiveInteger)$/.test(local))
    return numberOr(text);
  if (local === 'boolean')
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}
