import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainCompany, chainIds, chainSites, loadSausageChain } from '../../src/trace/fixtures/sausage-chain.ts';
import { normaliseIdentifier } from '../../src/trace/graph/identifiers.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;
/** GS1's EPCIS 2.0 JSON Schema (it covers EPCISQueryDocument too). */
const epcisSchema = addFormats(new Ajv({ strict: false, allErrors: true })).compile(
  JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, '../../../shared/conformance/epcis/schema/EPCIS-JSON-Schema.json'),
      'utf8',
    ),
  ),
);

/**
 * Trace back and forward over the sausage chain (src/trace/fixtures/sausage-chain.ts: farm and
 * spice mill → processor → cold store → two retailers), through the HTTP API on a real database.
 */
describe(`trace back and forward (${engineUnderTest})`, () => {
  let t: TestApp;
  let regulator: TestUser;
  let companies: Record<ChainCompany, TestUser>;
  let eventIds: Map<string, string>;
  const nameOf = (id: string) => [...eventIds.entries()].find(([, v]) => v === id)?.[0] ?? id;
  const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const names = (list: string) => list.split(' ').sort(byName);
  const dl = (uri: string) => normaliseIdentifier(uri);

  beforeAll(async () => {
    t = await TestApp.start();
    regulator = await t.user('regulator');
    const keys: ChainCompany[] = ['farm', 'mill', 'processor', 'coldStore', 'retailerA', 'retailerB', 'other'];
    companies = Object.fromEntries(
      await Promise.all(keys.map(async (k) => [k, await t.user('enterprise')] as const)),
    ) as Record<ChainCompany, TestUser>;
    eventIds = await loadSausageChain(
      t.ctx.db,
      Object.fromEntries(keys.map((k) => [k, companies[k].id])) as Record<ChainCompany, string>,
    );
  });
  afterAll(() => t.stop());

  const get = (url: string, who: TestUser = regulator) => t.inject({ method: 'GET', url, headers: who.headers });
  const traced = async (direction: 'back' | 'forward', epc: string, who: TestUser = regulator) => {
    const res = await get(`/api/trace/${direction}?epc=${encodeURIComponent(epc)}`, who);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const events: { eventID: string }[] = body.document.epcisBody.queryResults.resultsBody.eventList;
    return { body, names: events.map((e) => nameOf(e.eventID)).sort(byName) };
  };

  it('traces a sausage lot back to its pork and spice lots and the pallets that carried its packs', async () => {
    const { body, names: found } = await traced('back', chainIds.sausageL1);
    expect(found).toEqual(names('E1 E2 E3 E4 E5 E6 E7 E9 E10 E12 E13 E14 E15 E16 E17 E18 E19 E23'));
    expect(body.identifier).toBe(dl(chainIds.sausageL1));
    expect(body.document).toMatchObject({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: t.clock.now().toISOString(),
      epcisBody: { queryResults: { queryName: 'traceBack' } },
    });
    expect(epcisSchema(body.document), JSON.stringify(epcisSchema.errors?.slice(0, 3))).toBe(true);
    expect(body.stats).toMatchObject({ events: 18, truncated: false });
    expect(body.stats.levels).toBeLessThanOrEqual(5);
  });

  it('answers each event as captured, field for field', async () => {
    const { body } = await traced('back', chainIds.sausageL1);
    const e7 = body.document.epcisBody.queryResults.resultsBody.eventList.find(
      (e: { eventID: string }) => e.eventID === eventIds.get('E7'),
    );
    expect(e7).toEqual({
      type: 'TransformationEvent',
      eventTime: '2026-11-03T08:00:00.000+08:00',
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [
        { epcClass: chainIds.porkA, quantity: 300, uom: 'KGM' },
        { epcClass: chainIds.spiceS1, quantity: 10, uom: 'KGM' },
      ],
      outputQuantityList: [{ epcClass: chainIds.sausageL1, quantity: 310, uom: 'KGM' }],
      bizStep: 'commissioning',
      readPoint: { id: chainSites.processor.location },
      bizLocation: { id: chainSites.processor.location },
      eventID: eventIds.get('E7'),
      recordTime: '2026-11-03T00:00:00.000Z',
    });
    expect(e7.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  });

  it('answers the graph: identifiers and locations as nodes, events as edges', async () => {
    const { body } = await traced('back', chainIds.sausageL1);
    const ids = body.graph.nodes.map((n: { id: string }) => n.id).sort();
    const expected = [
      chainIds.sausageL1,
      chainIds.porkA,
      chainIds.spiceS1,
      chainIds.pack1001,
      chainIds.pack1002,
      chainIds.pack1003,
      chainIds.pack1004,
      chainIds.palletP1,
      chainIds.palletP3,
      ...(['farm', 'mill', 'processor', 'coldStore', 'retailerA'] as const).map((c) => chainSites[c].location),
    ].map(dl);
    expect(ids).toEqual(expected.sort());
    const start = body.graph.nodes.find((n: { id: string }) => n.id === dl(chainIds.sausageL1));
    expect(start).toMatchObject({ kind: 'lot', reachedBy: 'start', label: '批次 L1', eventCount: 2 });
    const links = body.graph.edges
      .filter((e: { relation: string }) => e.relation !== 'at')
      .map((e: { from: string; to: string; relation: string }) => `${e.from} ${e.relation} ${e.to}`)
      .sort();
    const [l1, pa, s1, k1, k2, k3, p1, p3] = [
      chainIds.sausageL1,
      chainIds.porkA,
      chainIds.spiceS1,
      chainIds.pack1001,
      chainIds.pack1002,
      chainIds.pack1003,
      chainIds.palletP1,
      chainIds.palletP3,
    ].map(dl);
    const [processor, cold, shopA] = [chainSites.processor, chainSites.coldStore, chainSites.retailerA].map((s) =>
      dl(s.location),
    );
    expect(links).toEqual(
      [
        `${pa} transformed-into ${l1}`,
        `${s1} transformed-into ${l1}`,
        `${k1} packed-into ${p1}`,
        `${k2} packed-into ${p1}`,
        `${k3} packed-into ${p1}`,
        `${k1} packed-into ${p3}`,
        `${k2} packed-into ${p3}`,
        `${p1} unpacked-from ${k1}`,
        `${p1} unpacked-from ${k2}`,
        `${p1} unpacked-from ${k3}`,
        `${p3} unpacked-from ${k1}`,
        `${p3} unpacked-from ${k2}`,
        `${pa} shipped-to ${processor}`,
        `${s1} shipped-to ${processor}`,
        `${p1} shipped-to ${cold}`,
        `${p3} shipped-to ${shopA}`,
      ].sort(),
    );
    const transformation = body.graph.edges.find((e: { relation: string }) => e.relation === 'transformed-into');
    expect(transformation).toMatchObject({ eventID: eventIds.get('E7'), quantity: 310, uom: 'KGM' });
  });

  it('traces forward from the pork lot to both sausage lots, every pallet and both shops', async () => {
    const { names: found } = await traced('forward', chainIds.porkA);
    expect(found).toEqual(names('E1 E2 E3 E7 E8 E9 E10 E11 E12 E13 E14 E15 E16 E17 E18 E19 E20 E21 E22 E23'));
  });

  it('traces a pallet forward through what was unpacked from it', async () => {
    const { names: found, body } = await traced('forward', chainIds.palletP1);
    expect(found).toEqual(names('E10 E12 E13 E14 E15 E16 E17 E18 E19 E23'));
    expect(body.document.epcisBody.queryResults.queryName).toBe('traceForward');
  });

  it('normalises the query: an SSCC as a Digital Link on another domain, a pack by its Digital Link', async () => {
    const pallet = await traced('back', 'https://example.com/00/069034560000000027?linkType=all');
    expect(pallet.names).toEqual(names('E1 E2 E3 E4 E5 E6 E7 E8 E11 E12 E13 E20 E21 E22'));
    const pack = await traced('back', 'https://id.gs1.org/01/06903456300011/21/1001');
    expect(pack.names).toEqual(names('E1 E2 E3 E4 E5 E6 E7 E9 E10 E12 E13 E14 E15 E16 E17 E18 E19'));
  });

  it('draws the graph as SVG, left to right', async () => {
    const res = await get(`/api/trace/graph.svg?direction=back&epc=${encodeURIComponent(chainIds.sausageL1)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('image/svg+xml');
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(res.body.match(/<g class="node"/g)).toHaveLength(14);
    expect(res.body).toContain('批次 L1');
  });

  it('answers 404 for an identifier no event names, 400 for one that is no URI', async () => {
    const none = await get(`/api/trace/back?epc=${encodeURIComponent('urn:epc:class:lgtin:6903456.030001.NOPE')}`);
    expect(none.statusCode).toBe(404);
    expect(none.headers['content-type']).toContain('application/problem+json');
    const bad = await get('/api/trace/forward?epc=L1');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ pointer: '/querystring/epc', detail: 'not an absolute URI' }]);
    const missing = await get('/api/trace/forward');
    expect(missing.statusCode).toBe(400);
  });

  it('lets an enterprise trace only through the events it captured', async () => {
    const { names: found, body } = await traced('back', chainIds.sausageL1, companies.processor);
    expect(found).toEqual(names('E3 E6 E7 E9 E10 E12'));
    expect(JSON.stringify(body)).not.toContain(eventIds.get('E13'));
    const elsewhere = await get(`/api/trace/back?epc=${encodeURIComponent(chainIds.porkB)}`, companies.processor);
    expect(elsewhere.statusCode).toBe(404);
  });

  it('refuses roles that may not trace (403 forbidden)', async () => {
    for (const role of ['resident', 'leader', 'worker', 'organisation'] as const) {
      const who = await t.user(role);
      for (const url of [
        `/api/trace/back?epc=${encodeURIComponent(chainIds.sausageL1)}`,
        `/api/trace/forward?epc=${encodeURIComponent(chainIds.sausageL1)}`,
        `/api/trace/graph.svg?epc=${encodeURIComponent(chainIds.sausageL1)}`,
        `/api/trace/recall?epc=${encodeURIComponent(chainIds.sausageL1)}`,
      ]) {
        const res = await get(url, who);
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.json().type).toMatch(/forbidden$/);
      }
    }
  });

  it('refuses without authentication', async () => {
    const res = await t.inject({ method: 'GET', url: `/api/trace/back?epc=${encodeURIComponent(chainIds.porkA)}` });
    expect(res.statusCode).toBe(401);
  });
});
