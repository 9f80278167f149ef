/**
 * The XML ↔ JSON-LD mapping on the GS1 corpus (read-only): XML read into JSON-LD hashes as the XML
 * does, and JSON-LD written as XML reads back to the same JSON-LD and the same hashes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventHashesOfDocument } from '../event-hash/index.ts';
import { readCaptureDocument } from './document.ts';
import { prefixesFor } from './validate.ts';
import { readXmlDocument } from './xml-document.ts';
import { eventToXml, queryDocumentXml } from './xml-write.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../../shared/conformance/epcis');
const files = (folder: string) => fs.readdirSync(path.join(CORPUS, folder)).map((f) => [`${folder}/${f}`] as const);

/** Vocabulary spellings, comments and empty @value may vary through XML (see test/api/epcis-conformance). */
const comparable = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(comparable);
  if (typeof v === 'string')
    return v.replace(/^(cbv:(Comp|BizStep|Disp)-|gs1:|https:\/\/ref\.gs1\.org\/cbv\/BizStep-)/, '');
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k, x]) => k !== 'rdfs:comment' && !(k === '@value' && x === ''))
      .map(([k, x]) => [k, comparable(x)]),
  );
};

describe('XML ↔ JSON-LD mapping', () => {
  it.each(files('xml'))('reads %s into JSON-LD that hashes as the XML does', (file) => {
    const body = fs.readFileSync(path.join(CORPUS, file), 'utf8');
    const { document } = readXmlDocument(body);
    if (document.type === 'EPCISMasterDataDocument') {
      expect((document.epcisBody as { vocabularyList: unknown[] }).vocabularyList.length).toBeGreaterThan(0);
      return;
    }
    const fromXml = eventHashesOfDocument({ contentType: 'xml', body }).hashes;
    expect(eventHashesOfDocument({ contentType: 'json', body: JSON.stringify(document) }).hashes).toEqual(fromXml);
  });

  it.each([...files('json'), ...files('xml'), ...files('openepcis/valid')])(
    'writes %s as XML that reads back the same',
    (file) => {
      const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
      const doc = readCaptureDocument(
        file.endsWith('.xml') ? text : JSON.parse(text),
        file.endsWith('.xml') ? 'xml' : 'json',
      );
      if (doc.events.length === 0) return;
      const xml = queryDocumentXml(
        doc.events.map((e) => eventToXml(e.event, prefixesFor(doc, e.event))),
        { queryName: 'test', creationDate: '2026-11-26T00:00:00Z' },
      );
      const back = readXmlDocument(xml).document as {
        epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } };
      };
      expect(comparable(back.epcisBody.queryResults.resultsBody.eventList)).toEqual(
        comparable(doc.events.map((e) => e.event)),
      );
      const original = eventHashesOfDocument({
        contentType: file.endsWith('.xml') ? 'xml' : 'json',
        body: text,
      }).hashes;
      expect(eventHashesOfDocument({ contentType: 'xml', body: xml }).hashes).toEqual(original);
    },
  );

  it('names the XML element of a JSON pointer', async () => {
    const { xmlPathOf } = await import('./xml-document.ts');
    const body = fs.readFileSync(path.join(CORPUS, 'xml/WithExtension__ObjectEvent.xml'), 'utf8');
    const { paths } = readXmlDocument(body);
    expect(xmlPathOf(paths, '/epcisBody/eventList/1/quantityList/0/quantity')).toBe(
      '/epcis:EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[2]/quantityList[1]/quantityElement[1]/quantity[1]',
    );
    expect(xmlPathOf(paths, '/epcisBody/eventList/0/nothing')).toBe(
      '/epcis:EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[1] (nothing)',
    );
  });
});
