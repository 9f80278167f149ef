/**
 * Webhooks may not reach the server's own machine, the intranet or the cloud's metadata service
 * unless the operator allowed them (`WEBHOOK_ALLOW`): case webhooks and EPCIS query subscriptions
 * are refused with a pointer when registered, and a name that resolves inside is refused when a
 * delivery connects (recorded in the delivery log; nothing reaches the address).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundPolicy, type Resolver } from '../../src/kernel/http/outbound.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

describe(`webhook destinations (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let enterprise: TestUser;
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    t = await TestApp.start(); // no WEBHOOK_ALLOW: public addresses only
    w = await buildCaseWorld(t);
    enterprise = await t.user('enterprise');
    server = http.createServer((req, res) => {
      hits += 1;
      req.resume();
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.stop();
  });

  const inside = (p: number) => [
    `http://127.0.0.1:${p}/hook`,
    'http://localhost:5432/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.8/hook',
    'http://[::1]/hook',
  ];

  it('refuses a case webhook to a local, private or metadata address, with a pointer, and stores nothing', async () => {
    for (const url of inside(port)) {
      const res = await call(t, w.admin, 'POST', '/api/webhooks', { url, eventTypes: ['case.created'] });
      expect(res.status, url).toBe(400);
      expect(res.json.type).toMatch(/bad-request$/);
      expect(res.json.errors[0]).toMatchObject({ pointer: '/url', detail: expect.stringContaining('WEBHOOK_ALLOW') });
    }
    expect((await call(t, w.admin, 'GET', '/api/webhooks')).json).toEqual([]);
  });

  it('refuses an EPCIS subscription to such an address (ValidationException at /dest)', async () => {
    const q = await call(t, enterprise, 'POST', '/epcis/queries', {
      name: 'mine',
      query: { EQ_bizStep: ['shipping'] },
    });
    expect(q.status).toBe(201);
    for (const dest of inside(port)) {
      const res = await call(t, enterprise, 'POST', '/epcis/queries/mine/subscriptions', { dest, stream: true });
      expect(res.status, dest).toBe(400);
      expect(res.json.type).toBe('epcisException:ValidationException');
      expect(res.json.errors[0]).toMatchObject({ pointer: '/dest' });
    }
    expect((await call(t, enterprise, 'GET', '/epcis/queries/mine/subscriptions')).json).toEqual([]);
  });

  it('refuses, when it connects, a name that resolves inside; the log says why and nothing arrives', async () => {
    const rebinding: Resolver = (host, _family, callback) =>
      host === 'hooks.example.com'
        ? callback(null, [{ address: '127.0.0.1', family: 4 }])
        : callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    const original = t.ctx.outbound;
    t.ctx.outbound = outboundPolicy([], rebinding);
    try {
      const created = await call(t, w.admin, 'POST', '/api/webhooks', {
        url: `http://hooks.example.com:${port}/hook`,
        eventTypes: ['case.created'],
      });
      expect(created.status).toBe(201);
      expect((await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).status).toBe(201);
      await t.tick();
      const log = (await call(t, w.admin, 'GET', `/api/webhooks/${created.json.id}/deliveries`)).json;
      expect(log.items[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null });
      expect(log.items[0].lastError).toMatch(/127\.0\.0\.1/);
      expect(hits).toBe(0);
    } finally {
      t.ctx.outbound = original;
    }
  });
});
