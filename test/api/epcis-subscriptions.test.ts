/**
 * Named-query webhook subscriptions: streamed after each capture or run on a schedule, signed
 * with HMAC-SHA256, holding only what the subscriber may read, recorded and retried. The
 * receiver is a local HTTP server on 127.0.0.1 (port 0); time moves with the manual clock.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureWorkerOf } from '../../src/trace/epcis/capture-worker.ts';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const LA = 'urn:epc:id:sgln:6901234.00001.0';
const LB = 'urn:epc:id:sgln:6907654.00001.0';
const TOKEN = 'a-shared-secret-of-the-subscriber';

type Received = { headers: http.IncomingHttpHeaders; body: string };

describe(`EPCIS subscriptions (${engineUnderTest})`, () => {
  let t: TestApp;
  let admin: TestUser;
  let entA: TestUser;
  let server: http.Server;
  let dest: string;
  const received: Received[] = [];
  const answers: number[] = [];
  let serial = 0;

  const capture = async (location: string, bizStep: string) => {
    serial++;
    const res = await t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: admin.headers,
      payload: {
        '@context': context,
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-11-26T00:00:00Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2026-11-20T08:00:00+08:00',
              eventTimeZoneOffset: '+08:00',
              action: 'OBSERVE',
              bizStep,
              epcList: [`urn:epc:id:sgtin:6901234.012345.${serial}`],
              bizLocation: { id: location },
            },
          ],
        },
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    await captureWorkerOf(t.ctx).drain();
    return `urn:epc:id:sgtin:6901234.012345.${serial}`;
  };
  const tick = async () => {
    await t.ctx.events.drain();
    await t.ctx.tasks.tick();
  };
  const epcsOf = (r: Received) =>
    (JSON.parse(r.body).epcisBody.queryResults.resultsBody.eventList as { epcList: string[] }[]).map(
      (e) => e.epcList[0],
    );

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answers.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dest = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    t = await TestApp.start({ env: { WEBHOOK_ALLOW: '127.0.0.1' } });
    const w = await buildWorld(t);
    admin = await t.user('admin');
    entA = await t.user('enterprise');
    for (const [id, place, owner] of [
      [LA, w.compoundA1.id, entA.id],
      [LB, w.compoundB1.id, null],
    ] as const) {
      const res = await t.inject({
        method: 'PUT',
        url: '/api/trace/master-data/locations',
        headers: admin.headers,
        payload: { id, placeId: place, ownerId: owner },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const q = await t.inject({
      method: 'POST',
      url: '/epcis/queries',
      headers: entA.headers,
      payload: { name: 'a-shipping', query: { EQ_bizStep: ['shipping'] } },
    });
    expect(q.statusCode, q.body).toBe(201);
    expect(q.headers.location).toBe('/epcis/queries/a-shipping');
  });
  afterAll(async () => {
    await t.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses subscriptions without exactly one of stream and schedule, or with a bad schedule', async () => {
    for (const payload of [
      { dest },
      { dest, stream: true, schedule: { hour: '1' } },
      { dest, schedule: { hour: '25' } },
      { dest, schedule: {} },
    ]) {
      const res = await t.inject({
        method: 'POST',
        url: '/epcis/queries/a-shipping/subscriptions',
        headers: entA.headers,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().type).toBe('epcisException:SubscriptionControlsException');
    }
    const ftp = await t.inject({
      method: 'POST',
      url: '/epcis/queries/a-shipping/subscriptions',
      headers: entA.headers,
      payload: { dest: 'ftp://x/y', stream: true },
    });
    expect(ftp.statusCode).toBe(400);
  });

  it('streams each capture’s new matches that the subscriber may read, signed, and records the delivery', async () => {
    const sub = await t.inject({
      method: 'POST',
      url: '/epcis/queries/a-shipping/subscriptions',
      headers: entA.headers,
      payload: { dest, signatureToken: TOKEN, stream: true },
    });
    expect(sub.statusCode, sub.body).toBe(201);
    expect(sub.json()).toMatchObject({ stream: true, signed: true, dest });
    expect(sub.json().signatureToken).toBeUndefined();
    const shippedHere = await capture(LA, 'shipping');
    await capture(LA, 'receiving');
    await capture(LB, 'shipping'); // not entA's: never delivered to it
    await tick();
    expect(received).toHaveLength(1);
    const [first] = received as [Received];
    expect(epcsOf(first)).toEqual([shippedHere]);
    const doc = JSON.parse(first.body);
    expect(doc).toMatchObject({
      type: 'EPCISQueryDocument',
      epcisBody: { queryResults: { queryName: 'a-shipping', subscriptionID: sub.json().subscriptionID } },
    });
    expect(first.headers['gs1-signature']).toBe(
      `sha256=${createHmac('sha256', TOKEN).update(first.body).digest('hex')}`,
    );
    const shown = await t.inject({ method: 'GET', url: sub.headers.location as string, headers: entA.headers });
    expect(shown.json().deliveries).toEqual([
      expect.objectContaining({ status: 'delivered', httpStatus: 200, eventCount: 1, attempts: 1 }),
    ]);
    expect(shown.json().lastNotifiedAt).toBe(t.clock.now().toISOString());

    await tick();
    expect(received).toHaveLength(1);
  });

  it('retries a failed delivery after its backoff', async () => {
    answers.push(500);
    const epc = await capture(LA, 'shipping');
    await tick();
    expect(received).toHaveLength(2);
    await tick();
    expect(received).toHaveLength(2);
    t.clock.advance(31_000);
    await tick();
    expect(received).toHaveLength(3);
    expect(epcsOf(received[2] as Received)).toEqual([epc]);
    const subs = (
      await t.inject({ method: 'GET', url: '/epcis/queries/a-shipping/subscriptions', headers: entA.headers })
    ).json();
    const detail = await t.inject({
      method: 'GET',
      url: `/epcis/queries/a-shipping/subscriptions/${subs[0].subscriptionID}`,
      headers: entA.headers,
    });
    expect(detail.json().deliveries).toContainEqual(
      expect.objectContaining({ status: 'delivered', attempts: 2, httpStatus: 200 }),
    );
  });

  it('runs a scheduled subscription when its schedule comes round, and stops when unsubscribed', async () => {
    t.clock.set('2026-11-26T02:50:00.000Z');
    const sub = await t.inject({
      method: 'POST',
      url: '/epcis/queries/a-shipping/subscriptions',
      headers: entA.headers,
      payload: { dest: `${dest}?scheduled`, schedule: { hour: '3', minute: '0' }, reportIfEmpty: true },
    });
    expect(sub.statusCode, sub.body).toBe(201);
    const streamed = received.length;
    const epc = await capture(LA, 'shipping');
    await tick(); // the stream subscription delivers at once; the schedule waits for 03:00
    expect(received.filter((r) => !r.headers['gs1-signature'])).toHaveLength(0);
    expect(received).toHaveLength(streamed + 1);
    t.clock.set('2026-11-26T03:00:05.000Z');
    await tick();
    const scheduled = received.filter((r) => !r.headers['gs1-signature']);
    expect(scheduled).toHaveLength(1);
    expect(epcsOf(scheduled[0] as Received)).toEqual([epc]);
    t.clock.set('2026-11-27T03:00:05.000Z');
    await tick();
    const again = received.filter((r) => !r.headers['gs1-signature']);
    expect(again).toHaveLength(2);
    expect(epcsOf(again[1] as Received)).toEqual([]); // reportIfEmpty
    for (const s of (
      await t.inject({ method: 'GET', url: '/epcis/queries/a-shipping/subscriptions', headers: entA.headers })
    ).json()) {
      const del = await t.inject({
        method: 'DELETE',
        url: `/epcis/queries/a-shipping/subscriptions/${s.subscriptionID}`,
        headers: entA.headers,
      });
      expect(del.statusCode).toBe(204);
    }
    const before = received.length;
    await capture(LA, 'shipping');
    t.clock.set('2026-11-28T03:00:05.000Z');
    await tick();
    expect(received).toHaveLength(before);
  });

  it('deletes a named query with its subscriptions', async () => {
    await t.inject({
      method: 'POST',
      url: '/epcis/queries/a-shipping/subscriptions',
      headers: entA.headers,
      payload: { dest, stream: true },
    });
    const del = await t.inject({ method: 'DELETE', url: '/epcis/queries/a-shipping', headers: entA.headers });
    expect(del.statusCode).toBe(204);
    expect(
      (await t.inject({ method: 'GET', url: '/epcis/queries/a-shipping', headers: entA.headers })).statusCode,
    ).toBe(404);
    const before = received.length;
    await capture(LA, 'shipping');
    await tick();
    expect(received).toHaveLength(before);
  });
});
