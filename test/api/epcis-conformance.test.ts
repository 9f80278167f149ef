/**
 * The GS1 EPCIS 2.0 corpus through the REST binding (/work/shared/conformance/epcis, read-only):
 * every document of json/, xml/ and openepcis/valid is captured and each of its events comes back
 * from /epcis/events field for field; every document of openepcis/invalid is rejected with
 * pointers and stores nothing; the XML query output parses, round-trips and hashes the same.
 *
 * What the comparison normalises, and why the standard lets it vary:
 * - `recordTime`: set by the repository at capture (EPCIS 2.0 §7.4.1), so left out;
 * - `eventID`: an event captured without one gets its CBV 2.0 hash ID (issue: "…gets ni:///…");
 * - time stamps: compared as UTC instants with millisecond precision (xsd:dateTimeStamp values
 *   with other offsets or more digits are the same instant; CBV 2.0 §8.9 steps 8–9);
 * - the same event in several documents (same event hash) is stored once: later copies are
 *   compared with the first one captured, with an error declaration a later copy adds to it
 *   (EPCIS 2.0 §7.4.1.2). Documents whose eventIDs name different events in other documents go
 *   to a separate repository (eventIDs are unique within one).
 * For the XML round trip additionally: CBV/GS1 vocabulary values in any standard spelling (bare,
 * CURIE, URN, Web URI) compare as the bare term, JSON-LD comments are XML comments (not data),
 * an empty `@value` beside other members is dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureWorkerOf } from '../../src/trace/epcis/capture-worker.ts';
import { readCaptureDocument } from '../../src/trace/epcis/document.ts';
import { readXmlDocument } from '../../src/trace/epcis/xml-document.ts';
import { eventHashesOfDocument } from '../../src/trace/event-hash/index.ts';
import { fieldName, type Namespaces, namespacesOf } from '../../src/trace/event-hash/json.ts';
import { canonicalTimestamp } from '../../src/trace/event-hash/values.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/conformance/epcis');
type Json = Record<string, unknown>;

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const VOCAB_PREFIXES = [
  /^urn:epcglobal:cbv:(bizstep|disp|btt|sdt|er):/,
  /^https:\/\/ref\.gs1\.org\/cbv\/(BizStep|Disp|BTT|SDT|ER|Comp)-/,
  /^cbv:(BizStep|Disp|BTT|SDT|ER|Comp)-/,
  /^(gs1:|https:\/\/gs1\.org\/voc\/)(?=[A-Z])/,
];

/** The comparable form of an event (see the file comment); with `ns`, field names as `{namespace}local`. */
function normalised(value: unknown, xml = false, ns?: Namespaces): unknown {
  if (Array.isArray(value)) return value.map((v) => normalised(v, xml, ns));
  if (typeof value === 'string') {
    if (TIME.test(value)) return canonicalTimestamp(value, '');
    return xml ? VOCAB_PREFIXES.reduce((s, p) => s.replace(p, ''), value) : value;
  }
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k === 'recordTime' || k === '@context') continue;
    if (xml && (k === 'rdfs:comment' || k === 'comment' || (k === '@value' && v === ''))) continue;
    out[ns ? fieldName(k, ns) : k] = normalised(v, xml, ns);
  }
  return out;
}

type Doc = { folder: string; file: string; body: string; xml: boolean; events: Json[]; hashes: string[] };

function corpus(folder: string): Doc[] {
  return fs
    .readdirSync(path.join(CORPUS, folder))
    .sort()
    .map((file) => {
      const body = fs.readFileSync(path.join(CORPUS, folder, file), 'utf8');
      const xml = file.endsWith('.xml');
      const doc = readCaptureDocument(xml ? body : JSON.parse(body), xml ? 'xml' : 'json');
      const hashes = doc.events.length ? eventHashesOfDocument({ contentType: xml ? 'xml' : 'json', body }).hashes : [];
      return { folder, file, body, xml, events: doc.events.map((e) => e.event), hashes };
    });
}

/**
 * Assigns documents to repositories: the first one where none of the document's eventIDs names
 * another event already. (Decided up front, so that one repository runs at a time.)
 */
function pack(docs: Doc[]): Doc[][] {
  const repos: { ids: Map<string, string>; docs: Doc[] }[] = [];
  for (const doc of docs) {
    const fits = (r: (typeof repos)[number]) =>
      doc.events.every(
        (e, i) => typeof e.eventID !== 'string' || (r.ids.get(e.eventID) ?? doc.hashes[i]) === doc.hashes[i],
      );
    let repo = repos.find(fits);
    if (!repo) {
      repo = { ids: new Map(), docs: [] };
      repos.push(repo);
    }
    repo.docs.push(doc);
    doc.events.forEach((e, i) => {
      if (typeof e.eventID === 'string' && !repo.ids.has(e.eventID)) repo.ids.set(e.eventID, doc.hashes[i] as string);
    });
  }
  return repos.map((r) => r.docs);
}

/** One repository and what it holds: hash → the expected (first captured) event. */
type Repository = { index: number; t: TestApp; admin: TestUser; expected: Map<string, Json> };

describe(`EPCIS 2.0 conformance corpus through the REST binding (${engineUnderTest})`, () => {
  let current: Repository | undefined;
  afterAll(async () => {
    await current?.t.stop();
  });

  /** The repository of a given index, started (and the previous one stopped) on first use. */
  async function repository(index: number): Promise<Repository> {
    if (current?.index === index) return current;
    await current?.t.stop();
    const t = await TestApp.start();
    current = { index, t, admin: await t.user('admin'), expected: new Map() };
    return current;
  }

  async function events(r: Repository, query: string, accept = 'application/json') {
    const res = await r.t.inject({
      method: 'GET',
      url: `/epcis/events?${query}`,
      headers: { ...r.admin.headers, accept },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  }

  const valid = [...corpus('json'), ...corpus('xml'), ...corpus('openepcis/valid')];
  const packed = pack(valid);
  const cases = packed.flatMap((docs, index) => [
    ...docs.map((doc) => ({
      name: `captures ${doc.folder}/${doc.file} and returns each event field for field`,
      index,
      doc,
    })),
    {
      name: `serves repository ${index + 1} of ${packed.length} as XML that parses, round-trips and hashes as captured`,
      index,
      doc: undefined,
    },
  ]);

  it('has the corpus', () => {
    expect(valid.length).toBeGreaterThanOrEqual(75);
    expect(valid.reduce((n, d) => n + d.events.length, 0)).toBeGreaterThan(120);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await repository(c.index);
    if (c.doc) await captureAndCompare(r, c.doc);
    else await xmlRoundTrip(r);
  });

  async function captureAndCompare(r: Repository, doc: Doc) {
    const res = await r.t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...r.admin.headers, 'content-type': doc.xml ? 'application/xml' : 'application/ld+json' },
      payload: doc.body,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ running: true, eventCount: doc.events.length });
    expect(await jobOf(r, res.headers.location as string)).toMatchObject({
      running: false,
      success: true,
      eventCount: doc.events.length,
      errors: [],
    });

    for (const [i, event] of doc.events.entries()) {
      const hash = doc.hashes[i] as string;
      const first = r.expected.get(hash);
      if (!first) r.expected.set(hash, { ...event, eventID: event.eventID ?? hash });
      else if (event.errorDeclaration !== undefined && first.errorDeclaration === undefined)
        first.errorDeclaration = event.errorDeclaration;
      const expected = r.expected.get(hash) as Json;
      const found = await events(r, `EQ_eventID=${encodeURIComponent(String(expected.eventID))}`);
      const list = found.json().epcisBody.queryResults.resultsBody.eventList as Json[];
      expect(list, `${doc.file} event ${i}`).toHaveLength(1);
      expect(normalised(list[0]), `${doc.file} event ${i}`).toEqual(normalised(expected));
    }
  }

  async function xmlRoundTrip(r: Repository) {
    const jsonDoc = (await events(r, 'perPage=1000')).json();
    const json = jsonDoc.epcisBody.queryResults.resultsBody.eventList as Json[];
    const xml = (await events(r, 'perPage=1000', 'application/xml')).body;
    const back = readXmlDocument(xml).document as Json & {
      epcisBody: { queryResults: { resultsBody: { eventList: Json[] } } };
    };
    const fromXml = back.epcisBody.queryResults.resultsBody.eventList;
    expect(fromXml).toHaveLength(json.length);
    // Prefixes may differ (each capture document chose its own); namespaces may not.
    const xmlNs = namespacesOf(back['@context']);
    fromXml.forEach((e, i) => {
      const jsonNs = namespacesOf(json[i]?.['@context'], namespacesOf(jsonDoc['@context']));
      expect(normalised(e, true, xmlNs), String(json[i]?.eventID)).toEqual(normalised(json[i], true, jsonNs));
    });
    const hashes = eventHashesOfDocument({ contentType: 'xml', body: xml }).hashes;
    expect(new Set(hashes)).toEqual(new Set(r.expected.keys()));
  }

  it('stores a document again as nothing new', async () => {
    const r = current as Repository;
    const doc = (packed.at(-1) as Doc[])[0] as Doc;
    const before = await eventCount(r);
    const res = await r.t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...r.admin.headers, 'content-type': doc.xml ? 'application/xml' : 'application/ld+json' },
      payload: doc.body,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(await jobOf(r, res.headers.location as string)).toMatchObject({
      success: true,
      capturedCount: 0,
      duplicateCount: doc.events.length,
    });
    expect(await eventCount(r)).toBe(before);
  });

  const invalid = fs.readdirSync(path.join(CORPUS, 'openepcis/invalid')).sort();

  it.each(invalid)('rejects openepcis/invalid/%s with pointers and stores nothing', async (file) => {
    const r = current as Repository;
    const [eventsBefore, jobsBefore] = [await eventCount(r), await jobCount(r)];
    const res = await r.t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...r.admin.headers, 'content-type': 'application/json' },
      payload: fs.readFileSync(path.join(CORPUS, 'openepcis/invalid', file), 'utf8'),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ type: 'epcisException:ValidationException', status: 400 });
    expect(problem.errors.length).toBeGreaterThan(0);
    for (const e of problem.errors) expect(e.pointer === '' || e.pointer.startsWith('/')).toBe(true);
    expect(problem.detail).toContain(problem.errors[0].pointer || '/');
    expect(await eventCount(r)).toBe(eventsBefore);
    expect(await jobCount(r)).toBe(jobsBefore);
  });

  it('with GS1-Capture-Error-Behaviour: proceed keeps the valid events and reports each invalid one', async () => {
    const r = current as Repository;
    const body = JSON.parse(
      fs.readFileSync(
        path.join(CORPUS, 'openepcis/invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json'),
        'utf8',
      ),
    );
    body.epcisBody.eventList[0].eventTime = '2031-01-01T00:00:00Z'; // not a copy of a corpus event already stored
    const before = await eventCount(r);
    const res = await r.t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...r.admin.headers, 'GS1-Capture-Error-Behaviour': 'proceed' },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await jobOf(r, res.headers.location as string);
    expect(job).toMatchObject({
      success: false,
      captureErrorBehaviour: 'proceed',
      eventCount: 2,
      capturedCount: 1,
    });
    expect(job.errors[0]).toMatchObject({
      type: 'epcisException:ValidationException',
      errors: [{ pointer: '/epcisBody/eventList/1/bizStep' }],
    });
    expect(await eventCount(r)).toBe(before + 1);
    const whole = await r.t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...r.admin.headers, 'GS1-Capture-Error-Behaviour': 'proceed', 'content-type': 'application/json' },
      payload: fs.readFileSync(path.join(CORPUS, 'openepcis/invalid/EPCISDocument_without_context.json'), 'utf8'),
    });
    expect(whole.statusCode).toBe(400);
  });

  /** A capture job once the capture worker has run what is queued. */
  async function jobOf(r: Repository, location: string) {
    await captureWorkerOf(r.t.ctx).drain();
    const res = await r.t.inject({ method: 'GET', url: location, headers: r.admin.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async function eventCount(r: Repository): Promise<number> {
    return (await events(r, 'perPage=1000')).json().epcisBody.queryResults.resultsBody.eventList.length;
  }
  async function jobCount(r: Repository): Promise<number> {
    const res = await r.t.inject({ method: 'GET', url: '/epcis/capture?perPage=1000', headers: r.admin.headers });
    return res.json().length;
  }
});
