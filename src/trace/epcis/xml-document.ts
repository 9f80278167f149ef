/**
 * EPCIS 2.0 XML documents → JSON-LD: the document level (EPCISDocument, EPCISQueryDocument,
 * EPCISMasterDataDocument, header master data); events are read by `xml-read.ts`. Every JSON node
 * remembers the XML path it came from, so errors on the JSON-LD form can name the XML element.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import { validationProblem } from './problems.ts';
import { EPCIS_CONTEXT } from './xml-map.ts';
import { children, pointer, Reader, textOf } from './xml-read.ts';

type Json = Record<string, unknown>;

/** The JSON-LD form of an XML document and where each JSON node came from. */
export type XmlReading = { document: Json; paths: Map<string, string> };

/** Master data (`VocabularyList`) as the JSON-LD binding writes it (`vocabularyList`). */
function vocabularies(reader: Reader, list: Element, path: string, ptr: string): Json[] {
  return children(list, path).map(([voc, vp], i) => {
    const vptr = pointer(ptr, i);
    const elements = children(voc, vp).flatMap(([c, cp]) =>
      c.localName === 'VocabularyElementList' ? children(c, cp) : [],
    );
    const vocabularyElementList = elements.map(([el, ep], j) => {
      const eptr = pointer(pointer(vptr, 'vocabularyElementList'), j);
      const element: Json = { id: reader.at(pointer(eptr, 'id'), `${ep}/@id`, (el.getAttribute('id') ?? '').trim()) };
      const attributes: Json[] = [];
      for (const [c, cp] of children(el, ep)) {
        if (c.localName === 'attribute') {
          const aptr = pointer(pointer(eptr, 'attributes'), attributes.length);
          const kids = children(c, cp);
          const value =
            kids.length === 0
              ? textOf(c)
              : reader.members(kids, pointer(aptr, 'attribute'), (k, kp, kptr) => reader.extension(k, kp, kptr));
          attributes.push(reader.at(aptr, cp, { id: (c.getAttribute('id') ?? '').trim(), attribute: value }));
        } else if (c.localName === 'children') {
          element.children = children(c, cp).map(([k, kp], n) =>
            reader.at(pointer(pointer(eptr, 'children'), n), kp, textOf(k)),
          );
        }
      }
      if (attributes.length > 0) element.attributes = attributes;
      return reader.at(eptr, ep, element);
    });
    return reader.at(vptr, vp, { type: (voc.getAttribute('type') ?? '').trim(), vocabularyElementList });
  });
}

/** The first element named `localName` at or below `el` (extension wrappers included), with its path. */
function find(el: Element, path: string, localName: string): [Element, string] | undefined {
  for (const [c, p] of children(el, path)) {
    if (c.localName === localName) return [c, p];
    const deeper = find(c, p, localName);
    if (deeper) return deeper;
  }
  return undefined;
}

function parse(body: string): Element {
  try {
    const parser = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    });
    const root = parser.parseFromString(body.replace(/^\uFEFF/, ''), 'text/xml').documentElement;
    if (!root) throw new Error('no root element');
    return root;
  } catch (error) {
    const detail = `not well-formed XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    throw validationProblem([{ pointer: '/', detail }]);
  }
}

/**
 * An EPCIS 2.0 XML document (EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument) in its
 * JSON-LD form, with the XML path of every JSON node.
 * @throws EpcisProblem (400 ValidationException) when the XML is not well-formed or not EPCIS.
 */
export function readXmlDocument(body: string): XmlReading {
  const root = parse(body);
  const rootPath = `/${root.nodeName}`;
  const reader = new Reader();
  reader.at('', rootPath, null);
  const kind = root.localName ?? '';
  if (!['EPCISDocument', 'EPCISQueryDocument', 'EPCISMasterDataDocument'].includes(kind))
    throw validationProblem([{ pointer: rootPath, detail: `<${root.nodeName}> is not an EPCIS 2.0 document` }]);
  const doc: Json = { type: kind };
  for (const attr of ['schemaVersion', 'creationDate']) {
    const value = root.getAttribute(attr);
    if (value !== null) doc[attr] = reader.at(`/${attr}`, `${rootPath}/@${attr}`, value.trim());
  }
  const header = find(root, rootPath, 'EPCISHeader');
  const headerList = header ? find(header[0], header[1], 'VocabularyList') : undefined;
  if (headerList) {
    const list = vocabularies(reader, headerList[0], headerList[1], '/epcisHeader/epcisMasterData/vocabularyList');
    doc.epcisHeader = { epcisMasterData: { vocabularyList: list } };
  }
  const body_ = find(root, rootPath, 'EPCISBody');
  if (kind === 'EPCISMasterDataDocument') {
    const list = body_ ? find(body_[0], body_[1], 'VocabularyList') : undefined;
    doc.epcisBody = { vocabularyList: list ? vocabularies(reader, list[0], list[1], '/epcisBody/vocabularyList') : [] };
  } else {
    const eventList = body_ ? find(body_[0], body_[1], 'EventList') : undefined;
    const base =
      kind === 'EPCISQueryDocument' ? '/epcisBody/queryResults/resultsBody/eventList' : '/epcisBody/eventList';
    if (body_)
      reader.at(
        kind === 'EPCISQueryDocument' ? base.replace('/resultsBody/eventList', '') : '/epcisBody',
        body_[1],
        null,
      );
    const events = eventList
      ? reader.at(
          base,
          eventList[1],
          children(eventList[0], eventList[1]).map(([e, p], i) => reader.event(e, p, pointer(base, i))),
        )
      : [];
    if (kind === 'EPCISQueryDocument') {
      const results = body_ ? find(body_[0], body_[1], 'QueryResults') : undefined;
      const queryName = results ? find(results[0], results[1], 'queryName') : undefined;
      doc.epcisBody = {
        queryResults: {
          queryName: queryName ? textOf(queryName[0]) : 'SimpleEventQuery',
          resultsBody: { eventList: events },
        },
      };
    } else doc.epcisBody = { eventList: events };
  }
  const entry = reader.contextEntry();
  doc['@context'] = entry ? [EPCIS_CONTEXT, entry] : [EPCIS_CONTEXT];
  return { document: doc, paths: reader.paths };
}

/** The XML path for a JSON pointer into a document read by {@link readXmlDocument}: its nearest known ancestor. */
export function xmlPathOf(paths: ReadonlyMap<string, string>, ptr: string): string {
  for (let p = ptr; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = paths.get(p);
    if (found !== undefined) return p === ptr ? found : `${found} (${ptr.slice(p.length + 1)})`;
    if (p === '') return ptr;
  }
}
