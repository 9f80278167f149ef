import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainCompany, chainIds, chainSites, loadSausageChain } from '../../src/trace/fixtures/sausage-chain.ts';
import { describeIdentifier, elementString, normaliseIdentifier } from '../../src/trace/graph/identifiers.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

/** Recall scope and the FSMA 204 spreadsheet over the sausage chain (src/trace/fixtures/sausage-chain.ts). */
describe(`recall scope and FSMA 204 export (${engineUnderTest})`, () => {
  let t: TestApp;
  let regulator: TestUser;
  let eventIds: Map<string, string>;
  const dl = normaliseIdentifier;
  const tlc = (uri: string) => elementString(dl(uri));
  const q = (uri: string) => encodeURIComponent(uri);

  beforeAll(async () => {
    t = await TestApp.start();
    regulator = await t.user('regulator');
    const keys: ChainCompany[] = ['farm', 'mill', 'processor', 'coldStore', 'retailerA', 'retailerB', 'other'];
    const users = Object.fromEntries(await Promise.all(keys.map(async (k) => [k, (await t.user('enterprise')).id])));
    eventIds = await loadSausageChain(t.ctx.db, users as Record<ChainCompany, string>);
  });
  afterAll(() => t.stop());

  const get = (url: string) => t.inject({ method: 'GET', url, headers: regulator.headers });

  it('scopes a recall of the pork lot: every downstream lot, location and party, with quantities', async () => {
    const res = await get(`/api/trace/recall?epc=${q(chainIds.porkA)}`);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    const lots = Object.fromEntries(
      view.lots.map((l: { identifier: string; reachedBy: string; quantity: number | null }) => [
        l.identifier,
        [l.reachedBy, l.quantity],
      ]),
    );
    expect(lots).toEqual({
      [dl(chainIds.porkA)]: ['start', 500],
      [dl(chainIds.sausageL1)]: ['output', 310],
      [dl(chainIds.sausageL2)]: ['output', 205],
      [dl(chainIds.pack1001)]: ['class-instance', null],
      [dl(chainIds.pack1002)]: ['class-instance', null],
      [dl(chainIds.pack1003)]: ['class-instance', null],
      [dl(chainIds.pack1004)]: ['class-instance', null],
      [dl(chainIds.palletP1)]: ['container', null],
      [dl(chainIds.palletP2)]: ['container', null],
      [dl(chainIds.palletP3)]: ['container', null],
    });
    const received = (list: { id: string; received: { lot: string; quantity: number; uom: string | null }[] }[]) =>
      list.map((r) => [r.id, r.received.map((g) => `${tlcOf(g.lot)} ${g.quantity} ${g.uom ?? 'EA'}`).sort()]);
    const tlcOf = (id: string) => elementString(id);
    expect(received(view.locations)).toEqual([
      [dl(chainSites.processor.location), [`${tlc(chainIds.porkA)} 500 KGM`]],
      [dl(chainSites.coldStore.location), [`${tlc(chainIds.sausageL1)} 3 EA`, `${tlc(chainIds.sausageL2)} 150 KGM`]],
      [dl(chainSites.retailerA.location), [`${tlc(chainIds.sausageL1)} 2 EA`]],
      [dl(chainSites.retailerB.location), [`${tlc(chainIds.sausageL2)} 150 KGM`]],
    ]);
    expect(received(view.parties)).toEqual([
      [dl(chainSites.processor.party), [`${tlc(chainIds.porkA)} 500 KGM`]],
      [dl(chainSites.coldStore.party), [`${tlc(chainIds.sausageL1)} 3 EA`, `${tlc(chainIds.sausageL2)} 150 KGM`]],
      [dl(chainSites.retailerA.party), [`${tlc(chainIds.sausageL1)} 2 EA`]],
      [dl(chainSites.retailerB.party), [`${tlc(chainIds.sausageL2)} 150 KGM`]],
    ]);
    const shopA = view.locations[2];
    expect(shopA).toMatchObject({
      confirmed: true,
      events: 2,
      firstTime: '2026-11-04T01:00:00.000Z',
      lastTime: '2026-11-04T05:00:00.000Z',
    });
    const receipts = view.receipts.map((r: { eventID: string; confirmed: boolean }) => [
      [...eventIds.entries()].find(([, v]) => v === r.eventID)?.[0],
      r.confirmed,
    ]);
    expect(receipts).toEqual([
      ['E2', false],
      ['E3', true],
      ['E12', false],
      ['E13', true],
      ['E16', false],
      ['E20', false],
      ['E17', true],
      ['E21', true],
    ]);
  });

  it('scopes a recall of one sausage lot to where that lot went only', async () => {
    const view = (await get(`/api/trace/recall?epc=${q(chainIds.sausageL1)}`)).json();
    expect(view.locations.map((l: { id: string }) => l.id)).toEqual([
      dl(chainSites.coldStore.location),
      dl(chainSites.retailerA.location),
    ]);
    expect(view.lots.map((l: { identifier: string }) => l.identifier).sort()).toEqual(
      [
        chainIds.sausageL1,
        chainIds.pack1001,
        chainIds.pack1002,
        chainIds.pack1003,
        chainIds.pack1004,
        chainIds.palletP1,
        chainIds.palletP3,
      ]
        .map(dl)
        .sort(),
    );
  });

  /** The expected spreadsheet rows of the pork lot's recall: [CTE, lot code, quantity, unit, event]. */
  const expectedRows = () => {
    const [pa, l1, l2] = [tlc(chainIds.porkA), tlc(chainIds.sausageL1), tlc(chainIds.sausageL2)];
    return [
      ['初始包装 Initial packing', pa, 500, 'KGM', 'E1'],
      ['发货 Shipping', pa, 500, 'KGM', 'E2'],
      ['收货 Receiving', pa, 500, 'KGM', 'E3'],
      ['转化 Transformation', pa, 300, 'KGM', 'E7'],
      ['转化 Transformation', l1, 310, 'KGM', 'E7'],
      ['初始包装 Initial packing', l1, 4, 'EA', 'E9'],
      ['转化 Transformation', pa, 200, 'KGM', 'E8'],
      ['转化 Transformation', l2, 205, 'KGM', 'E8'],
      ['发货 Shipping', l1, 3, 'EA', 'E12'],
      ['发货 Shipping', l2, 150, 'KGM', 'E12'],
      ['收货 Receiving', l1, 3, 'EA', 'E13'],
      ['收货 Receiving', l2, 150, 'KGM', 'E13'],
      ['其他 Other (storing)', l1, 1, 'EA', 'E23'],
      ['发货 Shipping', l1, 2, 'EA', 'E16'],
      ['发货 Shipping', l2, 150, 'KGM', 'E20'],
      ['收货 Receiving', l1, 2, 'EA', 'E17'],
      ['收货 Receiving', l2, 150, 'KGM', 'E21'],
      ['其他 Other (retail_selling)', l1, 1, 'EA', 'E19'],
    ].map(([cte, code, n, uom, name]) => [cte, code, n, uom, eventIds.get(name as string)]);
  };

  it('exports the recall as FSMA 204 CSV: one row per critical tracking event and lot, sorted by time', async () => {
    const res = await get(`/api/trace/recall?format=csv&epc=${q(chainIds.porkA)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="recall-06901234100013-PA1.csv"');
    expect(res.body.startsWith('\uFEFF关键追踪事件 Critical tracking event,追溯批次码 Traceability lot code,')).toBe(
      true,
    );
    const lines = res.body.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 18);
    const cells = lines.slice(1).map((l) => l.split(','));
    expect(cells.map((c) => [c[0], c[1], Number(c[3]), c[4], c[13]])).toEqual(expectedRows());
    const shipping = cells[8]!;
    expect(shipping[6]).toBe('2026-11-03T04:00:00.000Z');
    expect(shipping[7]).toBe('UTC+08:00');
    expect(shipping[8]).toBe(`desadv: urn:epcglobal:cbv:bt:6903456000017:DESADV-P12`);
    const label = (id: string) => describeIdentifier(dl(id)).label;
    expect(shipping[9]).toBe(`${label(chainSites.processor.location)} / ${label(chainSites.processor.party)}`);
    expect(shipping[10]).toBe(`${label(chainSites.coldStore.location)} / ${label(chainSites.coldStore.party)}`);
    expect(shipping[9]).toMatch(/^GLN \d{13} \/ 主体 GLN \d{13}$/);
    expect(shipping[11]).toBe(elementString(dl(chainIds.palletP1)));
    expect(shipping[2]).toBe('GTIN 06903456300011');
  });

  it('exports the recall as XLSX with a header row, autofilter, frozen header and real dates', async () => {
    const res = await get(`/api/trace/recall?format=xlsx&epc=${q(chainIds.porkA)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('FSMA 204')!;
    expect(sheet.rowCount).toBe(1 + 18);
    expect((sheet.getRow(1).values as unknown[]).slice(1, 5)).toEqual([
      '关键追踪事件 Critical tracking event',
      '追溯批次码 Traceability lot code',
      '产品描述 Product description',
      '数量 Quantity',
    ]);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:N1');
    const rows = [];
    for (let i = 2; i <= sheet.rowCount; i++) {
      const r = sheet.getRow(i);
      rows.push([r.getCell(1).value, r.getCell(2).value, r.getCell(4).value, r.getCell(5).value, r.getCell(14).value]);
    }
    expect(rows).toEqual(expectedRows());
    const when = sheet.getRow(10).getCell(7);
    expect(when.value).toBeInstanceOf(Date);
    expect((when.value as Date).toISOString()).toBe('2026-11-03T04:00:00.000Z');
    expect(when.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });

  it('describes products and places from EPCIS master data when capture has it', async () => {
    const now = t.clock.now().toISOString();
    const element = (vocabulary: string, id: string, name: string) => ({
      vocabulary,
      id: dl(id),
      uri: id,
      name,
      attributes: '{}',
      children: '[]',
      place_id: null,
      place_path: null,
      owner_id: null,
      created_at: now,
      updated_at: now,
    });
    await t.ctx.db
      .insertInto('epcis_master_data')
      .values([
        element('urn:epcglobal:epcis:vtype:EPCClass', 'urn:epc:idpat:sgtin:6903456.030001.*', '川味香肠 500g'),
        element('urn:epcglobal:epcis:vtype:BusinessLocation', chainSites.coldStore.location, '川西冷链 1 号冷库'),
      ])
      .execute();
    const csv = (await get(`/api/trace/recall?format=csv&epc=${q(chainIds.sausageL1)}`)).body;
    const received = csv
      .split('\r\n')
      .find((l) => l.startsWith('收货 Receiving'))!
      .split(',');
    expect(received[2]).toBe('川味香肠 500g');
    expect(received[5]).toBe('川西冷链 1 号冷库');
    const view = (await get(`/api/trace/recall?epc=${q(chainIds.sausageL1)}`)).json();
    expect(view.locations[0].label).toBe('川西冷链 1 号冷库');
  });

  it('refuses a format it does not know (400)', async () => {
    const res = await get(`/api/trace/recall?format=pdf&epc=${q(chainIds.porkA)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].pointer).toBe('/querystring/format');
  });
});
