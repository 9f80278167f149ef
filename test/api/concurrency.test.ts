/**
 * Concurrent requests never get a 500: the same unique name or code created at once gives one 201
 * and 409s (on PostgreSQL the losers hit the unique index between check and insert), the same
 * workflow action at once one 200 and 409s, the same Idempotency-Key at once one case and replays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

describe(`concurrent requests (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  const together = (n: number, request: () => ReturnType<TestApp['inject']>) =>
    Promise.all(Array.from({ length: n }, request));
  const json = (headers: Record<string, string>, extra: Record<string, string> = {}) => ({
    ...headers,
    'content-type': 'application/json',
    ...extra,
  });
  const statuses = (answers: { statusCode: number }[]) => answers.map((a) => a.statusCode).sort();

  it('creates a uniquely named thing once; the others get 409, none 500', async () => {
    const places = await together(6, () =>
      t.inject({
        method: 'POST',
        url: '/api/places',
        headers: json(w.admin.headers),
        payload: JSON.stringify({
          code: 'race-compound',
          kind: 'compound',
          name: '竞赛小区',
          parentId: w.communityA.id,
        }),
      }),
    );
    expect(statuses(places)).toEqual([201, 409, 409, 409, 409, 409]);
    expect(places.find((p) => p.statusCode === 409)?.json().type).toMatch(/conflict$/);
    const devices = await together(6, () =>
      t.inject({
        method: 'POST',
        url: '/api/devices',
        headers: json(w.admin.headers),
        payload: JSON.stringify({
          code: 'race-device',
          kind: 'smoke',
          name: '烟感',
          placeId: w.compoundA1.id,
          location: [104.105, 30.665],
        }),
      }),
    );
    expect(statuses(devices)).toEqual([201, 409, 409, 409, 409, 409]);
    const queries = await together(6, () =>
      t.inject({
        method: 'POST',
        url: '/epcis/queries',
        headers: json(w.admin.headers),
        payload: JSON.stringify({ name: 'race-query', query: {} }),
      }),
    );
    expect(statuses(queries)).toEqual([201, 409, 409, 409, 409, 409]);
    expect(queries.find((q) => q.statusCode === 409)?.json().type).toBe(
      'epcisException:ResourceAlreadyExistsException',
    );
  });

  it('runs one workflow action once when it is sent many times at once', async () => {
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    const registered = await together(6, () =>
      t.inject({
        method: 'POST',
        url: `/api/cases/${c.id}/actions`,
        headers: json(w.dispatcher.headers),
        payload: JSON.stringify({ action: 'register' }),
      }),
    );
    expect(statuses(registered)).toEqual([200, 409, 409, 409, 409, 409]);
    const timeline = (await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json.timeline;
    expect(timeline.filter((s: { action: string }) => s.action === 'register')).toHaveLength(1);
  });

  it('creates one case for one Idempotency-Key sent many times at once', async () => {
    const body = JSON.stringify(reportBody(w));
    const answers = await together(6, () =>
      t.inject({
        method: 'POST',
        url: '/api/cases',
        headers: json(w.resident.headers, { 'idempotency-key': 'together-1' }),
        payload: body,
      }),
    );
    expect(statuses(answers)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
  });
});
