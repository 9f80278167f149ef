import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { natsBus } from '../../src/kernel/bus.ts';
import type { DomainEvent } from '../../src/kernel/events/outbox.ts';
import { engineUnderTest, rect, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

const url = process.env.NATS_URL;

/** Waits for what another node does in its own time (NATS, its reload), up to 5 s of real time. */
async function eventually(check: () => boolean): Promise<void> {
  const until = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Message = { type: string; seq?: number; data?: { id?: string; state?: string } };

/** A WebSocket client on one node's /api/live; `next` waits (up to 5 s) for a matching message. */
async function listen(t: TestApp, user: TestUser, query = '') {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const token = user.headers.authorization.slice('Bearer '.length);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live?token=${token}${query}`);
  const messages: Message[] = [];
  const waiters: { pred: (m: Message) => boolean; done: (m: Message) => void }[] = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString()) as Message;
    messages.push(m);
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.done(m);
    }
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const next = (pred: (m: Message) => boolean) =>
    new Promise<Message>((done, fail) => {
      const hit = messages.find(pred);
      if (hit) return done(hit);
      const timer = setTimeout(() => fail(new Error(`no message matched; got ${JSON.stringify(messages)}`)), 5000);
      waiters.push({
        pred,
        done: (m) => {
          clearTimeout(timer);
          done(m);
        },
      });
    });
  await next((m) => m.type === 'live');
  return { ws, messages, next, closed };
}

/** Two nodes on one database, told of each other's commits through NATS (CI: the machine's NATS at NATS_URL). */
describe.skipIf(!url)(`push across nodes through NATS (${engineUnderTest})`, () => {
  let a: TestApp;
  let b: TestApp;
  let w: CaseWorld;
  const prefix = `civictwin-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    a = await TestApp.start({ onDisk: true, nats: prefix });
    b = await a.peer();
    w = await buildCaseWorld(a);
    await b.ctx.bus.flush();
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('runs the bus on NATS on both nodes', () => {
    expect(a.ctx.bus.kind).toBe('nats');
    expect(b.ctx.bus.kind).toBe('nats');
  });

  it('pushes a case changed on node A to the worker connected to node B, once, and to nobody out of scope', async () => {
    const worker = await listen(b, w.workerA1);
    const outsider = await listen(b, w.workerB1);
    const c = (await call(a, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(a, w.dispatcher, c.id, { action: 'register' });
    await act(a, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
    // Node A's processors handle the outbox; node B never runs them for this batch.
    await a.ctx.events.drain();
    const pushed = await worker.next((m) => m.type === 'case.updated' && m.data?.id === c.id);
    expect(pushed.data).toMatchObject({ id: c.id, state: 'dispatched' });
    // The worker accepts through node B: the push comes back on B too, told by whichever node handled it.
    await act(b, w.workerA1, c.id, { action: 'accept' });
    await b.ctx.events.drain();
    await worker.next((m) => m.type === 'case.updated' && m.data?.id === c.id && m.data?.state === 'accepted');
    const mine = worker.messages.filter((m) => m.data?.id === c.id);
    expect(mine.map((m) => m.data?.state)).toEqual(['dispatched', 'accepted']);
    expect(outsider.messages.filter((m) => m.data?.id === c.id)).toEqual([]);
    worker.ws.close();
    outsider.ws.close();
  });

  it('keeps the spatial index of the other node in step: a grid drawn on A locates points on B', async () => {
    // The world's grids were drawn on A after B started: B has reloaded its index.
    await eventually(() => b.ctx.twin.locate(104.105, 30.67).gridId === w.gridA1.id);
    const inner = await a.grid(w.communityB.id, rect(104.135, 30.665, 104.14, 30.67));
    expect(a.ctx.twin.locate(104.137, 30.667).gridId).toBe(inner.id);
    await eventually(() => b.ctx.twin.locate(104.137, 30.667).gridId === inner.id);
    // Dispatch on B now uses the new cell: an alarm there would go to its worker.
    expect(b.ctx.twin.locate(104.145, 30.675).gridId).toBe(w.gridB1.id);
  });

  it('closes its sockets with 1012 when the bus may have lost events, so clients catch up from the outbox', async () => {
    const worker = await listen(b, w.workerA1);
    b.ctx.live.resync();
    expect(await worker.closed).toBe(1012);
    expect(b.ctx.live.size).toBe(0);
  });

  it('carries events between two buses on one prefix, and keeps prefixes apart', async () => {
    const log = a.ctx.log;
    const one = await natsBus({ url: url as string, prefix: `${prefix}-x`, log });
    const two = await natsBus({ url: url as string, prefix: `${prefix}-x`, log });
    const other = await natsBus({ url: url as string, prefix: `${prefix}-y`, log });
    const heard: DomainEvent[][] = [];
    const strays: DomainEvent[][] = [];
    const got = new Promise<void>((resolve) =>
      two.subscribe('t', (events) => {
        heard.push(events);
        resolve();
      }),
    );
    other.subscribe('t', (events) => strays.push(events));
    // A round trip on `two` makes sure its subscription is registered before `one` publishes.
    await two.flush();
    await other.flush();
    const event: DomainEvent = {
      seq: 7,
      type: 'case.created',
      subjectType: 'case',
      subjectId: 'c1',
      payload: { a: 1 },
      at: '2026-11-26T01:00:00.000Z',
    };
    one.publish('t', [event]);
    await got;
    expect(heard).toEqual([[event]]);
    expect(strays).toEqual([]);
    await Promise.all([one.close(), two.close(), other.close()]);
  });
});
