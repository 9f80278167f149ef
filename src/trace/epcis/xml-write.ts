/**
 * JSON-LD events → EPCIS 2.0 XML, walking the same table as `xml-read.ts` (`xml-map.ts`): standard
 * fields in the XML schema's element order, CBV values as Web URIs (or URNs on request), user
 * extensions as namespaced elements declared on their event, typed with `xsi:type` where JSON
 * says number or boolean so that reading the XML back gives the same JSON-LD.
 */
import { formatNumber } from '../event-hash/values.ts';
import { isObject, type Json } from './document.ts';
import { type CbvXmlFormat, dispositions, toXml } from './vocabulary.ts';
import {
  type AttributeKind,
  ERROR_DECLARATION,
  EVENT_FIELDS,
  type FieldSpec,
  SENSOR_METADATA,
  SENSOR_REPORT,
  XML_NS,
  XML_ORDER,
} from './xml-map.ts';

const escapeText = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const escapeAttr = (s: string) => escapeText(s).replaceAll('"', '&quot;');

/** JSON-LD comments are XML comments, not data (CBV 2.0 §8.9 leaves them out of the event hash too). */
const COMMENTS: ReadonlySet<string> = new Set(['comment', 'rdfs:comment']);
const comment = (v: unknown) =>
  (Array.isArray(v) ? v : [v]).map((c) => `<!--${String(c).replaceAll('--', '- -').replace(/-$/, '- ')}-->`).join('');

/** Writes one event; collects the namespaces its extension names need. */
class Writer {
  /** prefix → namespace declared on the event element. */
  readonly declared = new Map<string, string>();

  constructor(
    private readonly prefixes: ReadonlyMap<string, string>,
    private readonly format: CbvXmlFormat,
  ) {}

  /** An extension key as an XML qualified name (`prefix:local`), declaring its namespace. */
  name(key: string): string {
    const colon = key.indexOf(':');
    if (colon > 0 && !key.startsWith('//', colon + 1)) {
      const prefix = key.slice(0, colon);
      const ns = this.prefixes.get(prefix);
      if (ns !== undefined) {
        this.declared.set(prefix, ns);
        return key;
      }
    }
    const iri = /^(.*[/#])([^/#]+)$/.exec(key);
    if (!iri) return key;
    let prefix = [...this.declared].find(([, ns]) => ns === iri[1])?.[0];
    if (!prefix) {
      prefix = `ns${this.declared.size + 1}`;
      this.declared.set(prefix, iri[1] as string);
    }
    return `${prefix}:${iri[2]}`;
  }

  /** A user extension: text typed by `xsi:type`, or nested elements; arrays repeat the element. */
  extension(key: string, value: unknown): string {
    if (value === null || value === undefined) return '';
    if (Array.isArray(value)) return value.map((v) => this.extension(key, v)).join('');
    const tag = key.includes(':') ? this.name(key) : key;
    if (typeof value === 'number')
      return `<${tag} xsi:type="xsd:${Number.isInteger(value) ? 'integer' : 'decimal'}">${formatNumber(value)}</${tag}>`;
    if (typeof value === 'boolean') return `<${tag} xsi:type="xsd:boolean">${value}</${tag}>`;
    if (!isObject(value)) return `<${tag}>${escapeText(String(value))}</${tag}>`;
    const text = value['@value'];
    const inner = Object.entries(value)
      .filter(([k]) => !k.startsWith('@'))
      .map(([k, v]) => this.extension(k, v))
      .join('');
    return `<${tag}>${text === undefined ? '' : escapeText(String(text))}${inner}</${tag}>`;
  }

  private extensions(obj: Json, standard: ReadonlySet<string>): string {
    return Object.entries(obj)
      .filter(([k]) => !k.startsWith('@') && !standard.has(k))
      .map(([k, v]) => (COMMENTS.has(k) ? comment(v) : this.extension(k, v)))
      .join('');
  }

  private attributes(obj: Json, kinds: Readonly<Record<string, AttributeKind>>): string {
    let out = '';
    for (const [key, value] of Object.entries(obj)) {
      if (value === null || value === undefined || key.startsWith('@')) continue;
      const kind = kinds[key];
      const text =
        typeof value === 'number'
          ? formatNumber(value)
          : kind !== undefined && typeof kind === 'object'
            ? toXml(kind.vocab, String(value), this.format)
            : String(value);
      out += ` ${kind === undefined ? this.name(key) : key}="${escapeAttr(text)}"`;
    }
    return out;
  }

  private sensorElement(element: Json): string {
    const meta = isObject(element.sensorMetadata)
      ? `<sensorMetadata${this.attributes(element.sensorMetadata, SENSOR_METADATA)}/>`
      : '';
    const reports = (Array.isArray(element.sensorReport) ? element.sensorReport : [])
      .filter(isObject)
      .map((r) => `<sensorReport${this.attributes(r, SENSOR_REPORT)}/>`)
      .join('');
    const rest = this.extensions(element, new Set(['sensorMetadata', 'sensorReport']));
    return `<sensorElement>${meta}${reports}${rest}</sensorElement>`;
  }

  /** One standard field by its kind in the table. */
  field(name: string, spec: FieldSpec, value: unknown): string {
    const wrap = (inner: string) => `<${name}>${inner}</${name}>`;
    const items = Array.isArray(value) ? value : [];
    switch (spec.kind) {
      case 'text':
        return wrap(escapeText(String(value)));
      case 'repeated':
        return (Array.isArray(value) ? value : [value]).map((v) => wrap(escapeText(String(v)))).join('');
      case 'vocab':
        return wrap(escapeText(toXml(spec.vocab, String(value), this.format)));
      case 'ids':
        return wrap(items.map((v) => `<${spec.item}>${escapeText(String(v))}</${spec.item}>`).join(''));
      case 'quantities':
        return wrap(
          items
            .filter(isObject)
            .map((q) => {
              const parts = ['epcClass', 'quantity', 'uom']
                .filter((k) => q[k] !== undefined && q[k] !== null)
                .map((k) => `<${k}>${escapeText(typeof q[k] === 'number' ? formatNumber(q[k]) : String(q[k]))}</${k}>`);
              return `<quantityElement>${parts.join('')}</quantityElement>`;
            })
            .join(''),
        );
      case 'location': {
        const loc = isObject(value) ? value : { id: value };
        return wrap(`<id>${escapeText(String(loc.id))}</id>${this.extensions(loc, new Set(['id']))}`);
      }
      case 'typed':
        return wrap(
          items
            .filter(isObject)
            .map((item) => {
              const type =
                item.type === undefined
                  ? ''
                  : ` type="${escapeAttr(toXml(spec.vocab, String(item.type), this.format))}"`;
              return `<${spec.item}${type}>${escapeText(String(item[spec.item] ?? ''))}</${spec.item}>`;
            })
            .join(''),
        );
      case 'persistentDisposition': {
        const pd = isObject(value) ? value : {};
        const part = (k: string) =>
          (Array.isArray(pd[k]) ? (pd[k] as unknown[]) : [])
            .map((d) => `<${k}>${escapeText(toXml(dispositions, String(d), this.format))}</${k}>`)
            .join('');
        return wrap(part('set') + part('unset'));
      }
      case 'sensors':
        return wrap(
          items
            .filter(isObject)
            .map((e) => this.sensorElement(e))
            .join(''),
        );
      case 'errorDeclaration': {
        const d = isObject(value) ? value : {};
        const standard = Object.entries(ERROR_DECLARATION)
          .filter(([k]) => d[k] !== undefined)
          .map(([k, s]) => this.field(k, s as FieldSpec, d[k]))
          .join('');
        return wrap(standard + this.extensions(d, new Set(Object.keys(ERROR_DECLARATION))));
      }
      case 'ilmd':
        return wrap(isObject(value) ? this.extensions(value, new Set()) : '');
    }
  }

  /** An event element: standard fields in schema order, then extensions; namespaces declared on it. */
  event(event: Json): string {
    const type = String(event.type);
    const order = XML_ORDER[type] ?? Object.keys(EVENT_FIELDS);
    const standard = new Set(['type', ...Object.keys(EVENT_FIELDS)]);
    let body = '';
    for (const name of [...order, ...Object.keys(EVENT_FIELDS).filter((f) => !order.includes(f))]) {
      if (event[name] === undefined || event[name] === null) continue;
      body += this.field(name, EVENT_FIELDS[name] as FieldSpec, event[name]);
    }
    body += this.extensions(event, standard);
    const tag = XML_ORDER[type] ? type : this.name(type);
    const xmlns = [...this.declared].map(([p, ns]) => ` xmlns:${p}="${escapeAttr(ns)}"`).join('');
    return `<${tag}${xmlns}>${body}</${tag}>`;
  }
}

/** One JSON-LD event as an EPCIS 2.0 XML event element. */
export function eventToXml(event: Json, prefixes: ReadonlyMap<string, string>, format: CbvXmlFormat = 'web'): string {
  return new Writer(prefixes, format).event(event);
}

/** What a query document's XML says about itself. */
export type XmlQueryMeta = { queryName: string; subscriptionID?: string; creationDate: string };

/** An EPCISQueryDocument (EPCIS 2.0 XML binding) around events already written as XML elements. */
export function queryDocumentXml(eventElements: readonly string[], meta: XmlQueryMeta): string {
  const subscription = meta.subscriptionID ? `<subscriptionID>${escapeText(meta.subscriptionID)}</subscriptionID>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<epcisq:EPCISQueryDocument xmlns:epcisq="${XML_NS.query}" xmlns:xsi="${XML_NS.xsi}" xmlns:xsd="${XML_NS.xsd}"` +
    ` schemaVersion="2.0" creationDate="${escapeAttr(meta.creationDate)}">` +
    `<EPCISBody><epcisq:QueryResults><queryName>${escapeText(meta.queryName)}</queryName>${subscription}` +
    `<resultsBody><EventList>${eventElements.join('')}</EventList></resultsBody>` +
    '</epcisq:QueryResults></EPCISBody></epcisq:EPCISQueryDocument>'
  );
}
