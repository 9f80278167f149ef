import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../src/kernel/audit/audit.ts';
import { readEvents } from '../../src/kernel/events/outbox.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

/**
 * `Idempotency-Key` on `POST /api/cases` and `POST /api/cases/{id}/actions`: the grid worker's
 * offline queue resends with the same key after a lost answer, and nothing happens twice.
 */
describe(`idempotency keys on case writes (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  const post = (who: TestUser, url: string, payload: unknown, key?: string) =>
    t.inject({
      method: 'POST',
      url,
      headers: { ...who.headers, ...(key !== undefined ? { 'idempotency-key': key } : {}) },
      payload: payload as object,
    });
  const eventsOf = async (caseId: string) =>
    (await readEvents(t.ctx.db, 0, ['case.created', 'case.updated'], 100_000)).filter((e) => e.subjectId === caseId);

  it('creates one case for a report sent twice with the same key, and answers the same both times', async () => {
    const before = (await call(t, w.workerA1, 'GET', '/api/cases?source=patrol')).json.total;
    const body = reportBody(w, { description: '巡查发现井盖破损' });
    const first = await post(w.workerA1, '/api/cases', body, 'patrol-report-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    t.clock.advance(60_000); // the retry comes a minute later: still the first answer
    const again = await post(w.workerA1, '/api/cases', body, 'patrol-report-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await call(t, w.workerA1, 'GET', '/api/cases?source=patrol')).json.total).toBe(before + 1);
    expect((await eventsOf(first.json().id)).map((e) => e.type)).toEqual(['case.created']);
    // The same key with quotes (the draft's sf-string form) is the same key.
    const quoted = await post(w.workerA1, '/api/cases', body, '"patrol-report-1"');
    expect(quoted.json().id).toBe(first.json().id);
  });

  it('creates one case when two requests with the same key race each other', async () => {
    const body = reportBody(w, { description: '两个请求同时到达' });
    const [a, b] = await Promise.all([
      post(w.resident, '/api/cases', body, 'race-1'),
      post(w.resident, '/api/cases', body, 'race-1'),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).toBe(b.json().id);
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect((await eventsOf(a.json().id)).map((e) => e.type)).toEqual(['case.created']);
  });

  it('takes an action once for a request sent twice with the same key', async () => {
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, c.id, { action: 'register' });
    await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
    const url = `/api/cases/${c.id}/actions`;
    const first = await post(w.workerA1, url, { action: 'accept' }, 'accept-1');
    expect([first.statusCode, first.json().state]).toEqual([200, 'accepted']);
    const handled = await post(w.workerA1, url, { action: 'handle', note: '已清理' }, 'handle-1');
    expect(handled.json().state).toBe('handled');
    // The accept's answer was lost: the queue sends it again with its key, after the handle even.
    const again = await post(w.workerA1, url, { action: 'accept' }, 'accept-1');
    expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([200, 'true']);
    expect(again.json()).toEqual(first.json());
    const detail = (await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json;
    expect(detail.state).toBe('handled');
    expect(detail.timeline.map((s: { action: string }) => s.action)).toEqual([
      'report',
      'register',
      'dispatch',
      'accept',
      'handle',
    ]);
    expect((await auditTrail(t.ctx.db, 'case', c.id)).filter((a) => a.action === 'case.accept')).toHaveLength(1);
    expect((await eventsOf(c.id)).length).toBe(5);
    // Without a key, the same request is a new request, which the workflow refuses now.
    expect((await post(w.workerA1, url, { action: 'accept' })).statusCode).toBe(409);
  });

  it('refuses a key reused for another request (422) and keeps each user’s keys apart', async () => {
    const body = reportBody(w);
    const first = await post(w.resident, '/api/cases', body, 'shared-key');
    expect(first.statusCode).toBe(201);
    const other = await post(w.resident, '/api/cases', { ...body, description: '另一件事' }, 'shared-key');
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.json().type).toMatch(/idempotency-key-reused$/);
    const elsewhere = await post(
      w.resident,
      `/api/cases/${first.json().id}/actions`,
      { action: 'evaluate' },
      'shared-key',
    );
    expect(elsewhere.statusCode).toBe(422);
    // Another user's same key is their own.
    const theirs = await post(
      w.residentB,
      '/api/cases',
      reportBody(w, { placeId: w.compoundB1.id, location: [104.135, 30.665] }),
      'shared-key',
    );
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(first.json().id);
  });

  it('remembers nothing of a request that failed: the retry runs afresh', async () => {
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    const url = `/api/cases/${c.id}/actions`;
    // Dispatching an unregistered case is refused (409); registered, the same request goes through.
    const early = await post(w.dispatcher, url, { action: 'dispatch', targetId: w.workerA1.id }, 'dispatch-1');
    expect(early.statusCode).toBe(409);
    await act(t, w.dispatcher, c.id, { action: 'register' });
    const later = await post(w.dispatcher, url, { action: 'dispatch', targetId: w.workerA1.id }, 'dispatch-1');
    expect([later.statusCode, later.json().state]).toEqual([200, 'dispatched']);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
  });

  it('forgets keys after seven days', async () => {
    const body = reportBody(w, { description: '一周前的上报' });
    const first = await post(w.resident, '/api/cases', body, 'week-old');
    t.clock.advance(8 * 86_400_000);
    await t.tick();
    const again = await post(w.resident, '/api/cases', body, 'week-old');
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(first.json().id);
  });

  it('refuses a malformed key (400) and callers without credentials (401)', async () => {
    const bad = await post(w.resident, '/api/cases', reportBody(w), 'x'.repeat(201));
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await post(w.resident, '/api/cases', reportBody(w), 'with space')).statusCode).toBe(400);
    const anonymous = await t.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { 'idempotency-key': 'anon-1' },
      payload: reportBody(w),
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
