import { createHmac } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAttempts } from '../../src/notify/webhooks.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

/** Webhooks: signed deliveries, retries with backoff on the injectable clock, the delivery log, scope. */
describe(`webhooks (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let server: http.Server;
  let url: string;
  const received: Received[] = [];
  /** Status codes to answer with, in turn; 204 once exhausted. */
  const answers: number[] = [];
  let adminB: TestUser;

  beforeAll(async () => {
    t = await TestApp.start({ env: { WEBHOOK_ALLOW: '127.0.0.1' } });
    w = await buildCaseWorld(t);
    adminB = await t.user('admin', { placeId: w.communityB.id });
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.statusCode = answers.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.stop();
  });

  const deliveries = async (who: TestUser, id: string) =>
    (await call(t, who, 'GET', `/api/webhooks/${id}/deliveries?pageSize=500`)).json;

  it('delivers signed events, retries failures with backoff, and keeps a log', async () => {
    const created = await call(t, w.admin, 'POST', '/api/webhooks', {
      url: `${url}/hook`,
      eventTypes: ['case.created', 'case.updated'],
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.json;
    expect(secret).toMatch(/^whsec_/);
    expect((await call(t, w.admin, 'GET', '/api/webhooks')).json).toEqual([
      {
        id,
        url: `${url}/hook`,
        eventTypes: ['case.created', 'case.updated'],
        active: true,
        createdAt: expect.any(String),
      },
    ]);

    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await t.tick();
    expect(received).toHaveLength(1);
    const [first] = received;
    const body = JSON.parse(first!.body);
    expect(body).toMatchObject({ v: 1, type: 'case.created', data: { id: c.id, state: 'reported' } });
    // Personal data of the reporter is masked for machines.
    expect(body.data.reporter.phone).toBe('138****5678');
    expect(first!.headers['x-civictwin-event']).toBe('case.created');
    const signature = String(first!.headers['x-civictwin-signature']);
    const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    expect(v1).toBe(createHmac('sha256', secret).update(`${ts}.${first!.body}`).digest('hex'));
    expect(Number(ts)).toBe(Math.floor(t.clock.now().getTime() / 1000));

    // The receiver fails once: the delivery waits 30 s on the clock, then succeeds.
    answers.push(500);
    await act(t, w.dispatcher, c.id, { action: 'register' });
    await t.tick();
    expect(received).toHaveLength(2);
    let log = await deliveries(w.admin, id);
    expect(log.items[0]).toMatchObject({
      eventType: 'case.updated',
      status: 'pending',
      attempts: 1,
      lastStatus: 500,
      lastError: 'HTTP 500',
    });
    await t.tick();
    expect(received).toHaveLength(2);
    t.clock.advance(30_000);
    await t.tick();
    expect(received).toHaveLength(3);
    expect(received[2]!.body).toBe(received[1]!.body);
    log = await deliveries(w.admin, id);
    expect(log.total).toBe(2);
    expect(log.items[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204, lastError: null });
    expect(log.items[1]).toMatchObject({ eventType: 'case.created', status: 'delivered', attempts: 1 });

    // A receiver that never recovers is given up after the last attempt (30 s, 1, 2, 4 … min apart).
    answers.push(...Array(maxAttempts).fill(503));
    await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
    await t.tick();
    const doomed = (await deliveries(w.admin, id)).items[0].id;
    for (let attempt = 1; attempt < maxAttempts; attempt++) {
      t.clock.advance(30_000 * 2 ** (attempt - 1));
      await t.tick();
    }
    log = await deliveries(w.admin, id);
    expect(log.items.find((d: { id: string }) => d.id === doomed)).toMatchObject({
      status: 'failed',
      attempts: maxAttempts,
      nextAt: null,
      lastStatus: 503,
    });
    expect(received.filter((r) => JSON.parse(r.body).deliveryId === doomed)).toHaveLength(maxAttempts);
    // (Meanwhile the case was not accepted in time: its escalation was delivered too.)
    expect(
      log.items.some(
        (d: { status: string; eventType: string }) => d.status === 'delivered' && d.eventType === 'case.updated',
      ),
    ).toBe(true);

    // Stopped: nothing more is sent.
    expect((await call(t, w.admin, 'DELETE', `/api/webhooks/${id}`)).status).toBe(204);
    const sent = received.length;
    await act(t, w.workerA1, c.id, { action: 'accept' });
    t.clock.advance(3_600_000);
    await t.tick();
    expect(received).toHaveLength(sent);
  });

  it('sends a scoped admin’s subscription only what lies in their scope', async () => {
    const sub = (await call(t, adminB, 'POST', '/api/webhooks', { url: `${url}/b`, eventTypes: ['case.created'] }))
      .json;
    const countB = () => received.filter((r) => r.path === '/b').length;
    await call(t, w.resident, 'POST', '/api/cases', reportBody(w)); // community A
    await t.tick();
    expect(countB()).toBe(0);
    const inB = await call(
      t,
      w.residentB,
      'POST',
      '/api/cases',
      reportBody(w, { placeId: w.compoundB1.id, location: [104.135, 30.665] }),
    );
    expect(inB.status).toBe(201);
    await t.tick();
    expect(countB()).toBe(1);
    expect((await deliveries(adminB, sub.id)).total).toBe(1);
  });

  it('refuses other roles, other scopes and bad subscriptions', async () => {
    const sub = (await call(t, w.admin, 'POST', '/api/webhooks', { url: `${url}/c`, eventTypes: ['alarm.raised'] }))
      .json;
    for (const [method, path, payload] of [
      ['GET', '/api/webhooks', undefined],
      ['POST', '/api/webhooks', { url: `${url}/x`, eventTypes: ['case.created'] }],
      ['DELETE', `/api/webhooks/${sub.id}`, undefined],
      ['GET', `/api/webhooks/${sub.id}/deliveries`, undefined],
    ] as const) {
      const r = await call(t, w.dispatcher, method, path, payload);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.type).toMatch(/forbidden$/);
    }
    expect((await call(t, adminB, 'GET', `/api/webhooks/${sub.id}/deliveries`)).json.type).toMatch(/outside-scope$/);
    expect((await call(t, adminB, 'DELETE', `/api/webhooks/${sub.id}`)).json.type).toMatch(/outside-scope$/);
    expect((await call(t, adminB, 'GET', '/api/webhooks')).json.map((s: { id: string }) => s.id)).not.toContain(sub.id);
    expect(
      (await call(t, w.admin, 'POST', '/api/webhooks', { url: 'ftp://x.example/', eventTypes: ['case.created'] }))
        .status,
    ).toBe(400);
    expect((await call(t, w.admin, 'POST', '/api/webhooks', { url: `${url}/x`, eventTypes: ['nope'] })).status).toBe(
      400,
    );
    expect((await call(t, w.admin, 'GET', '/api/webhooks/nope/deliveries')).status).toBe(404);
  });
});
