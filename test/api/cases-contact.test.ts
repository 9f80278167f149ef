import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCase } from '../../src/cases/store.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

/**
 * A resident's optional contact details on a report (the portal's name, phone, e-mail): stored
 * with the case, in full only to the reporter and, in a single case, to dispatchers and admins;
 * masked in every list and for everyone else.
 */
describe(`residents' contact details (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let caseId: string;
  const contact = { reporterName: '李小明', reporterPhone: '13700001234', reporterEmail: 'li.xm@example.cn' };
  const full = { name: '李小明', phone: '13700001234', email: 'li.xm@example.cn' };
  const masked = { name: '李**', phone: '137****1234', email: 'l***@example.cn' };

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    const created = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, contact));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.reporter).toEqual({ id: w.resident.id, ...full });
    caseId = created.json.id;
  });
  afterAll(() => t.stop());

  const detailOf = async (who: TestUser) => (await call(t, who, 'GET', `/api/cases/${caseId}`)).json.reporter;
  const listedFor = async (who: TestUser) => {
    const list = (await call(t, who, 'GET', '/api/cases?pageSize=500')).json;
    return list.items.find((c: { id: string }) => c.id === caseId)?.reporter;
  };

  it('stores them with the case', async () => {
    const row = await findCase(t.ctx.db, caseId);
    expect(row).toMatchObject({
      reporter_name: '李小明',
      reporter_phone: '13700001234',
      reporter_email: 'li.xm@example.cn',
    });
  });

  it('shows them in full to dispatchers and admins in the single case, and to the reporter everywhere', async () => {
    expect(await detailOf(w.dispatcher)).toMatchObject(full);
    expect(await detailOf(w.admin)).toMatchObject(full);
    expect(await detailOf(w.resident)).toMatchObject(full);
    expect(await listedFor(w.resident)).toMatchObject(full);
  });

  it('masks them in lists, even for dispatchers, and for everyone else in the single case', async () => {
    expect(await listedFor(w.dispatcher)).toMatchObject(masked);
    expect(await listedFor(w.admin)).toMatchObject(masked);
    expect(await listedFor(w.leaderA)).toMatchObject(masked);
    for (const who of [w.leaderA, w.workerA1]) expect(await detailOf(who)).toMatchObject(masked);
  });

  it('takes the account’s name and phone when the resident gives none, and no e-mail', async () => {
    const plain = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    expect(plain.reporter).toEqual({ id: w.resident.id, name: '测试resident', phone: '13812345678', email: null });
    const phoneOnly = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { reporterPhone: '13700009999' })))
      .json;
    expect(phoneOnly.reporter).toMatchObject({ name: '测试resident', phone: '13700009999', email: null });
  });

  it('refuses malformed details with 400 problems, and writes nothing', async () => {
    const before = (await call(t, w.resident, 'GET', '/api/cases?pageSize=1')).json.total;
    for (const [field, value] of [
      ['reporterPhone', 'call me'],
      ['reporterEmail', 'not an address'],
      ['reporterName', '   '],
      ['reporterName', '名'.repeat(65)],
    ] as const) {
      const r = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { [field]: value }));
      expect([r.status, r.json.errors?.[0]?.pointer], `${field}=${value}`).toEqual([400, `/${field}`]);
    }
    expect((await call(t, w.resident, 'GET', '/api/cases?pageSize=1')).json.total).toBe(before);
  });
});
