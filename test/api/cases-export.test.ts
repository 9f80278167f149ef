import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

/** Parses the export's CSV (RFC 4180 quoting) after its byte-order mark. */
function parseCsv(text: string): string[][] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

/** The export of the dispatch console: `GET /api/cases/export`, the list's filters as CSV or XLSX. */
describe(`case list export (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let dispatched: { id: string; code: string; deadlines: { handleBy: string } };
  let hotline: { id: string; code: string };
  let roadCase: { id: string; code: string };
  let caseB: { id: string; code: string };

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    const a = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, a.id, { action: 'register' });
    dispatched = await act(t, w.dispatcher, a.id, { action: 'dispatch', targetId: w.workerA1.id });
    hotline = (
      await call(t, w.dispatcher, 'POST', '/api/cases', {
        ...reportBody(w),
        source: 'hotline',
        description: '=HYPERLINK("http://evil.example","点我"),另有"引号"',
        reporterName: '张三丰',
        reporterPhone: '13987654321',
      })
    ).json;
    roadCase = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { category: 'road_cleaning' }))).json;
    caseB = (
      await call(
        t,
        w.dispatcher,
        'POST',
        '/api/cases',
        reportBody(w, { placeId: w.compoundB1.id, location: [104.135, 30.665] }),
      )
    ).json;
  });
  afterAll(() => t.stop());

  const exportOf = async (who = w.dispatcher, query = '') => {
    const r = await call(t, who, 'GET', `/api/cases/export?format=csv${query}`);
    expect(r.status, r.res.body).toBe(200);
    return { res: r.res, rows: parseCsv(r.res.body) };
  };
  const column = (rows: string[][], header: string) => {
    const i = rows[0]!.indexOf(header);
    expect(i, header).toBeGreaterThanOrEqual(0);
    return rows.slice(1).map((r) => r[i]);
  };

  it('exports the cases the caller may see as CSV, Chinese headers, newest first, local times', async () => {
    const { res, rows } = await exportOf();
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="cases-202611260900.csv"');
    expect(rows[0]!.slice(0, 6)).toEqual(['案件编号', '来源', '类别', '标题', '问题描述', '状态']);
    expect(rows[0]).toEqual(expect.arrayContaining(['网格', '上报人', '联系电话', '处置时限', '是否超期']));
    expect(column(rows, '案件编号')).toEqual(
      [caseB.code, roadCase.code, hotline.code, dispatched.code].sort().reverse(),
    );
    const line = rows.find((r) => r[0] === dispatched.code)!;
    const cell = (header: string) => line[rows[0]!.indexOf(header)];
    expect(cell('来源')).toBe('居民上报');
    expect(cell('类别')).toBe('暴露垃圾');
    expect(cell('状态')).toBe('待签收');
    expect(cell('网格')).toBe(w.gridA1.name);
    expect(cell('地点')).toBe(w.compoundA1.name);
    expect(cell('处置人')).toBe('测试worker');
    // Dispatched Thursday 09:00 Beijing; 4 working hours → 14:30 the same day, Beijing time.
    expect(cell('上报时间')).toBe('2026-11-26 09:00');
    expect(cell('处置时限')).toBe('2026-11-26 14:30');
    expect(cell('是否超期')).toBe('否');
  });

  it('masks reporters’ names and phones as the list does, even for dispatchers', async () => {
    const { rows } = await exportOf();
    const line = rows.find((r) => r[0] === hotline.code)!;
    expect(line[rows[0]!.indexOf('上报人')]).toBe('张**');
    expect(line[rows[0]!.indexOf('联系电话')]).toBe('139****4321');
    expect(JSON.stringify(rows)).not.toContain('13987654321');
    // The list says the same; the single case shows the dispatcher the caller in full.
    const list = (await call(t, w.dispatcher, 'GET', '/api/cases?source=hotline')).json;
    const listed = list.items.find((c: { id: string }) => c.id === hotline.id);
    expect(listed.reporter).toMatchObject({ name: '张**', phone: '139****4321' });
    const one = (await call(t, w.dispatcher, 'GET', `/api/cases/${hotline.id}`)).json;
    expect(one.reporter).toMatchObject({ name: '张三丰', phone: '13987654321' });
  });

  it('never writes a cell a spreadsheet would run as a formula, and quotes commas and quotes', async () => {
    const { res, rows } = await exportOf();
    const description = rows.find((r) => r[0] === hotline.code)![rows[0]!.indexOf('问题描述')];
    expect(description).toBe('\'=HYPERLINK("http://evil.example","点我"),另有"引号"');
    expect(res.body).toContain('"\'=HYPERLINK(""http://evil.example"",""点我""),另有""引号"""');
  });

  it('applies the list’s filters: category, status, grid, place, overdue, source', async () => {
    const codes = async (query: string) => column((await exportOf(w.dispatcher, query)).rows, '案件编号');
    expect(await codes('&category=road_cleaning')).toEqual([roadCase.code]);
    expect(await codes('&status=dispatched')).toEqual([dispatched.code]);
    expect(await codes(`&status=reported,dispatched&grid=${w.gridA1.id}`)).toHaveLength(3);
    expect(await codes(`&place=${w.compoundB1.id}`)).toEqual([caseB.code]);
    expect(await codes('&source=resident')).toEqual([roadCase.code, dispatched.code]);
    expect(await codes('&overdue=true')).toEqual([]);
    t.clock.advance(Date.parse(dispatched.deadlines.handleBy) - t.clock.now().getTime() + 60_000);
    expect(await codes('&overdue=true')).toEqual([dispatched.code]);
    const { rows } = await exportOf(w.dispatcher, '&overdue=true');
    expect(column(rows, '是否超期')).toEqual(['是']);
    // The list agrees with the export.
    const list = (await call(t, w.dispatcher, 'GET', '/api/cases?overdue=true')).json;
    expect(list.items.map((c: { code: string }) => c.code)).toEqual([dispatched.code]);
  });

  it('exports the same as an Excel workbook', async () => {
    const r = await call(t, w.dispatcher, 'GET', '/api/cases/export?format=xlsx&category=exposed_garbage');
    expect(r.status).toBe(200);
    expect(r.res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(r.res.headers['content-disposition']).toMatch(/^attachment; filename="cases-\d{12}\.xlsx"$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('案件')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('案件编号');
    const codes = [];
    for (let i = 2; i <= sheet.rowCount; i++) codes.push(sheet.getRow(i).getCell(1).value);
    expect(codes).toEqual([caseB.code, hotline.code, dispatched.code].sort().reverse());
  });

  it('narrows to the caller’s scope, and refuses a place outside it (403)', async () => {
    const leaderA = await t.user('leader', { placeId: w.communityA.id });
    const codes = column((await exportOf(leaderA)).rows, '案件编号');
    expect(codes).not.toContain(caseB.code);
    expect(codes).toContain(dispatched.code);
    const outside = await call(t, leaderA, 'GET', `/api/cases/export?place=${w.compoundB1.id}`);
    expect([outside.status, outside.json.type]).toEqual([403, expect.stringMatching(/outside-scope$/)]);
    const otherGrid = await call(t, leaderA, 'GET', `/api/cases/export?grid=${w.gridB1.id}`);
    expect(otherGrid.status).toBe(403);
  });

  it('refuses roles that work single cases (403), callers without credentials (401) and bad filters (400)', async () => {
    for (const who of [w.workerA1, w.resident, w.handler]) {
      const r = await call(t, who, 'GET', '/api/cases/export?format=csv');
      expect([r.status, r.json.type], who.username).toEqual([403, expect.stringMatching(/forbidden$/)]);
    }
    expect((await call(t, null, 'GET', '/api/cases/export')).status).toBe(401);
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/export?format=pdf')).status).toBe(400);
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/export?status=lost')).status).toBe(400);
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/export?place=nowhere')).status).toBe(400);
  });
});
