import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, alarmPayload, buildCaseWorld, type CaseWorld, call, emitAlarm, reportBody } from './cases-fixtures.ts';

type Message = {
  type: string;
  seq?: number;
  v?: number;
  data?: Record<string, unknown> & { id?: string };
  [k: string]: unknown;
};

/** A real WebSocket client on /api/live that records what it receives. */
type Client = {
  ws: WebSocket;
  messages: Message[];
  /** Events (not control messages) received so far. */
  events(): Message[];
  /** Round trip: everything the server sent before answers the ping has arrived. */
  ping(): Promise<void>;
  send(message: unknown): void;
  next(pred: (m: Message) => boolean): Promise<Message>;
};

/** Pushes over a real socket: channels, scope filtering, catch-up, authentication. */
describe(`live push over WebSocket (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let base: string;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    base = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/live`;
  });
  afterAll(async () => {
    for (const ws of open) ws.close();
    await t.stop();
  });

  function connect(query: string, headers: Record<string, string> = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}?${query}`, { headers });
      open.push(ws);
      const messages: Message[] = [];
      const waiters: { pred: (m: Message) => boolean; done: (m: Message) => void }[] = [];
      const client: Client = {
        ws,
        messages,
        events: () => messages.filter((m) => m.v === 1 && typeof m.seq === 'number' && m.data),
        ping: async () => {
          const before = messages.filter((m) => m.type === 'pong').length;
          ws.send(JSON.stringify({ type: 'ping' }));
          await client.next(() => messages.filter((m) => m.type === 'pong').length > before);
        },
        send: (m) => ws.send(JSON.stringify(m)),
        next: (pred) =>
          new Promise((done, fail) => {
            const hit = messages.find(pred);
            if (hit) return done(hit);
            const timer = setTimeout(
              () => fail(new Error(`no message matched; got ${JSON.stringify(messages)}`)),
              5000,
            );
            waiters.push({
              pred,
              done: (m) => {
                clearTimeout(timer);
                done(m);
              },
            });
          }),
      };
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString()) as Message;
        messages.push(m);
        for (const waiter of [...waiters])
          if (waiter.pred(m)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.done(m);
          }
        if (m.type === 'live') resolve(client);
      });
      ws.on('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error('refused'), { status: res.statusCode })),
      );
      ws.on('error', reject);
    });
  }
  const token = (u: TestUser) => u.headers.authorization.slice('Bearer '.length);
  /** Lets the processors run and waits until every client has what was pushed. */
  async function settle(...clients: Client[]) {
    await t.tick();
    await t.ctx.live.publish([]);
    for (const c of clients) await c.ping();
  }

  it('refuses connections without valid credentials (401) before upgrading', async () => {
    await expect(connect('')).rejects.toMatchObject({ status: 401 });
    await expect(connect('token=nope')).rejects.toMatchObject({ status: 401 });
    await expect(connect('since=-1&token=x')).rejects.toMatchObject({ status: 400 });
  });

  it('pushes a case to its assignee, to the place’s subscribers, and to nobody who may not see it', async () => {
    const worker = await connect(`token=${token(w.workerA1)}`);
    expect(worker.messages.find((m) => m.type === 'hello')).toMatchObject({
      userId: w.workerA1.id,
      channels: [`user:${w.workerA1.id}`],
    });
    const dispatcher = await connect(`token=${token(w.dispatcher)}&channels=place:${w.district.id}`);
    const leader = await connect(`token=${token(w.leaderA)}&channels=place:${w.communityA.id}`);
    // A worker of grid B-1 may listen on the district (above their scope) but gets only their grid's share.
    const workerB = await connect(
      `token=${token(w.workerB1)}&channels=place:${w.district.id},place:${w.communityA.id}`,
    );
    expect(workerB.messages.find((m) => m.type === 'error')).toMatchObject({
      code: 'channel-refused',
      channel: `place:${w.communityA.id}`,
    });

    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, c.id, { action: 'register' });
    await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
    await settle(worker, dispatcher, leader, workerB);

    const mine = worker.events().filter((m) => m.data?.id === c.id);
    expect(mine.map((m) => [m.type, (m.data as { step: { action: string } }).step.action])).toEqual([
      ['case.updated', 'dispatch'],
    ]);
    expect(mine[0]!.data).toMatchObject({
      state: 'dispatched',
      assignee: { id: w.workerA1.id },
      availableActions: ['accept', 'return'],
    });
    const seen = dispatcher.events().filter((m) => m.data?.id === c.id);
    expect(seen.map((m) => m.type)).toEqual(['case.created', 'case.updated', 'case.updated']);
    expect(seen[0]!.data).toMatchObject({ reporter: { name: '测试resident', phone: '13812345678' } });
    expect(leader.events().filter((m) => m.data?.id === c.id)[0]!.data).toMatchObject({
      reporter: { name: '测*********', phone: '138****5678' },
    });
    expect(workerB.events()).toEqual([]);
    // Sequence numbers rise, so a client can resume from the last one.
    const seqs = seen.map((m) => m.seq!);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    for (const client of [worker, dispatcher, leader, workerB]) client.ws.close();
  });

  it('pushes alarms to staff in scope, and case channels only to who may see the case', async () => {
    const dispatcher = await connect(`token=${token(w.dispatcher)}&channels=place:${w.district.id}`);
    const resident = await connect(`token=${token(w.resident)}&channels=place:${w.communityA.id}`);
    const workerB = await connect(`token=${token(w.workerB1)}&channels=place:${w.district.id}`);
    const a = alarmPayload(w.deviceA1);
    await emitAlarm(t, 'alarm.raised', a);
    await settle(dispatcher, resident, workerB);
    const alarm = dispatcher.events().find((m) => m.type === 'alarm.raised');
    expect(alarm!.data).toMatchObject({
      alarmId: a.alarmId,
      deviceCode: w.deviceA1.row.code,
      category: 'garbage_overflow',
    });
    expect(alarm!.data).not.toHaveProperty('placePath');
    const alarmCase = dispatcher
      .events()
      .find((m) => m.type === 'case.created' && (m.data as { source: string }).source === 'alarm');
    expect(alarmCase).toBeDefined();
    expect(resident.events()).toEqual([]);
    expect(workerB.events()).toEqual([]);
    await emitAlarm(t, 'alarm.cleared', { ...a, status: 'cleared' });
    await settle(dispatcher);
    expect(dispatcher.events().some((m) => m.type === 'alarm.cleared')).toBe(true);

    // case:<id> — the resident's own report yes, someone else's no.
    const own = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    resident.send({
      type: 'subscribe',
      channels: [`case:${own.id}`, `case:${alarmCase!.data!.id}`, 'user:someone-else', 'bogus'],
    });
    const ack = await resident.next((m) => m.type === 'subscribed');
    expect(ack.channels).toEqual(expect.arrayContaining([`case:${own.id}`]));
    expect(ack.channels).not.toContain(`case:${alarmCase!.data!.id}`);
    expect(resident.messages.filter((m) => m.type === 'error').map((m) => m.channel)).toEqual([
      `case:${alarmCase!.data!.id}`,
      'user:someone-else',
      'bogus',
    ]);
    await act(t, w.dispatcher, own.id, { action: 'register' });
    await settle(resident);
    expect(resident.events().map((m) => [m.type, m.data?.id])).toEqual([
      ['case.created', own.id],
      ['case.updated', own.id],
    ]);
    resident.send('not json' as never);
    await resident.next((m) => m.type === 'error' && m.code === 'bad-message');
    for (const client of [dispatcher, resident, workerB]) client.ws.close();
  });

  it('replays what a reconnecting client missed (?since=), filtered by scope, then goes live', async () => {
    const first = await connect(`token=${token(w.dispatcher)}&channels=place:${w.district.id}`);
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await settle(first);
    const last = first.events().at(-1)!.seq!;
    first.ws.close();
    // Missed while away:
    await act(t, w.dispatcher, c.id, { action: 'register' });
    await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
    await t.tick();
    const back = await connect(`token=${token(w.dispatcher)}&channels=place:${w.district.id}&since=${last}`);
    const replayed = back.events();
    expect(replayed.map((m) => [m.type, (m.data as { step: { action: string } }).step.action])).toEqual([
      ['case.updated', 'register'],
      ['case.updated', 'dispatch'],
    ]);
    expect(replayed.every((m) => m.seq! > last)).toBe(true);
    expect(back.messages.at(-1)).toMatchObject({ type: 'live' });
    // A worker elsewhere replaying everything gets none of it; the assignee replaying gets their share.
    const outsider = await connect(`token=${token(w.workerB1)}&channels=place:${w.district.id}&since=0`);
    expect(outsider.events().filter((m) => m.data?.id === c.id)).toEqual([]);
    const assignee = await connect(`token=${token(w.workerA1)}&since=${last}`);
    expect(assignee.events().map((m) => m.data?.id)).toEqual([c.id]);
    // Then live, with nothing sent twice.
    await act(t, w.workerA1, c.id, { action: 'accept' });
    await settle(back, assignee);
    const seqs = back.events().map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(back.events().at(-1)!.data).toMatchObject({ id: c.id, state: 'accepted' });
    for (const client of [back, outsider, assignee]) client.ws.close();
  });

  it('accepts the session cookie from the same origin only', async () => {
    const user = await t.user('dispatcher', { placeId: w.district.id }, 'a-good-password');
    const login = await t.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: user.username, password: 'a-good-password' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const host = new URL(base).host;
    const ok = await connect('', { cookie, origin: `http://${host}` });
    expect(ok.messages[0]).toMatchObject({ type: 'hello', userId: user.id });
    ok.ws.close();
    await expect(connect('', { cookie, origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
  });

  it('counts its connections and forgets closed ones', async () => {
    const c = await connect(`token=${token(w.admin)}`);
    const before = t.ctx.live.size;
    expect(before).toBeGreaterThanOrEqual(1);
    c.ws.close();
    await new Promise<void>((resolve) => c.ws.once('close', () => resolve()));
    const deadline = Date.now() + 5000;
    while (t.ctx.live.size >= before && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(t.ctx.live.size).toBe(before - 1);
  });

  it('disconnects a client that sends a frame above 64 kB, and keeps serving the others', async () => {
    const rude = await connect(`token=${token(w.admin)}`);
    const polite = await connect(`token=${token(w.admin)}`);
    const closed = new Promise<number>((resolve) => rude.ws.once('close', (code) => resolve(code)));
    rude.ws.send('x'.repeat(70 * 1024));
    expect(await closed).toBe(1009); // Message Too Big
    await polite.ping();
  });
});
