/**
 * Asynchronous capture (docs/decisions/004-epcis-capture-write-path.md): a POST is answered 202 once
 * the document is stored as a capture job; the capture worker turns jobs into events. A job
 * accepted before a crash is run after the restart; each job runs once, also with two nodes;
 * `rollback` stores all of a document or nothing; large documents are prepared on the capture thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureThread } from '../../src/trace/epcis/capture-pool.ts';
import { captureWorkerOf } from '../../src/trace/epcis/capture-worker.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

const context = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const LOCATION = 'urn:epc:id:sgln:6901234.00001.0';

const event = (serial: number, extra: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  eventTime: '2026-11-20T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'receiving',
  epcList: [`urn:epc:id:sgtin:6901234.012345.${serial}`],
  bizLocation: { id: LOCATION },
  ...extra,
});
const doc = (events: unknown[]) => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-11-26T00:00:00Z',
  epcisBody: { eventList: events },
});

type Job = { captureID: string; running: boolean; success: boolean; capturedCount: number; errors: { type: string }[] };

describe(`EPCIS capture jobs (${engineUnderTest})`, () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await TestApp.start({ onDisk: true });
    admin = await t.user('admin');
  });
  afterAll(() => t.stop());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { ...admin.headers, ...headers },
      payload: body as object,
    });
  const job = async (location: string): Promise<Job> =>
    (await t.inject({ method: 'GET', url: location, headers: admin.headers })).json();
  const stored = async (serials: number[]) => {
    const res = await t.inject({ method: 'GET', url: '/epcis/events?perPage=1000', headers: admin.headers });
    const epcs = (res.json().epcisBody.queryResults.resultsBody.eventList as { epcList: string[] }[]).map(
      (e) => e.epcList[0],
    );
    return serials.filter((s) => epcs.includes(`urn:epc:id:sgtin:6901234.012345.${s}`));
  };

  it('answers 202 with a running job, runs it later, and stamps the events with the time it was accepted', async () => {
    const res = await post(doc([event(1), event(2)]));
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ running: true, success: false, eventCount: 2, capturedCount: 0 });
    expect(await stored([1, 2])).toEqual([]);
    const acceptedAt = t.clock.now().toISOString();
    t.clock.advance(60_000);
    await t.tick();
    expect(await job(res.headers.location as string)).toMatchObject({
      running: false,
      success: true,
      capturedCount: 2,
    });
    expect(await stored([1, 2])).toEqual([1, 2]);
    const one = await t.inject({
      method: 'GET',
      url: '/epcis/events?MATCH_epc=urn:epc:id:sgtin:6901234.012345.1',
      headers: admin.headers,
    });
    expect(one.json().epcisBody.queryResults.resultsBody.eventList[0].recordTime).toBe(acceptedAt);
    const queued = await t.ctx.db.selectFrom('epcis_capture_queue').select('job_id').execute();
    expect(queued).toEqual([]); // the document is gone once its events are stored
  });

  it('runs jobs accepted before a crash after the restart, once, large documents queued deflated', async () => {
    const small = await post(doc([event(3), event(4)]));
    const serials = Array.from({ length: 400 }, (_, i) => 3000 + i);
    const large = await post(doc(serials.map((s) => event(s))));
    for (const res of [small, large]) expect(res.statusCode, res.body).toBe(202);
    const queued = await t.ctx.db.selectFrom('epcis_capture_queue').select(['syntax', 'body']).orderBy('seq').execute();
    expect(queued.map((q) => q.syntax)).toEqual(['json', 'json+deflate']);
    expect(queued[1]!.body.length).toBeLessThan(JSON.stringify(doc(serials.map((s) => event(s)))).length / 4);
    await t.restart(); // nothing ran: the process stopped between the 202s and the capture worker
    for (const res of [small, large])
      expect(await job(res.headers.location as string)).toMatchObject({ running: true });
    expect(await stored([3, 4])).toEqual([]);
    await t.tick();
    expect(await job(small.headers.location as string)).toMatchObject({
      running: false,
      success: true,
      capturedCount: 2,
    });
    expect(await job(large.headers.location as string)).toMatchObject({
      running: false,
      success: true,
      capturedCount: 400,
    });
    expect(await stored([3, 4, ...serials])).toEqual([3, 4, ...serials]);
    await t.tick();
    const all = await t.inject({ method: 'GET', url: '/epcis/events?perPage=1000', headers: admin.headers });
    expect(all.json().epcisBody.queryResults.resultsBody.eventList).toHaveLength(404);
  });

  it('runs each job once when two nodes work the same queue', async () => {
    const peer = await t.peer();
    try {
      const accepted = [await post(doc([event(5)])), await post(doc([event(6), event(7)]))];
      await Promise.all([captureWorkerOf(t.ctx).drain(), captureWorkerOf(peer.ctx).drain()]);
      for (const [i, res] of accepted.entries())
        expect(await job(res.headers.location as string)).toMatchObject({ success: true, capturedCount: i + 1 });
      expect(await stored([5, 6, 7])).toEqual([5, 6, 7]);
      const audit = await t.ctx.db
        .selectFrom('audit_log')
        .select('subject_id')
        .where('action', '=', 'epcis.capture')
        .where(
          'subject_id',
          'in',
          accepted.map((r) => r.json().captureID as string),
        )
        .execute();
      expect(audit).toHaveLength(2);
    } finally {
      await peer.stop();
    }
  });

  it('with rollback stores all of a document or nothing; with proceed the events that may be stored', async () => {
    const first = await post(doc([event(8, { eventID: 'urn:uuid:6f4c2a4e-1b7e-4f0b-9a3e-0c1d2e3f4a5b' })]));
    await t.tick();
    expect(await job(first.headers.location as string)).toMatchObject({ success: true, capturedCount: 1 });
    // The second event's eventID names the stored event, with other content: a clash found by the worker.
    const clash = [event(9), event(10, { eventID: 'urn:uuid:6f4c2a4e-1b7e-4f0b-9a3e-0c1d2e3f4a5b' })];
    const all = await post(doc(clash));
    expect(all.statusCode).toBe(202);
    await t.tick();
    const rejected = await job(all.headers.location as string);
    expect(rejected).toMatchObject({ running: false, success: false, capturedCount: 0 });
    expect(rejected.errors.map((e) => e.type)).toEqual(['epcisException:ResourceAlreadyExistsException']);
    expect(await stored([9, 10])).toEqual([]);
    const some = await post(doc(clash), { 'GS1-Capture-Error-Behaviour': 'proceed' });
    await t.tick();
    expect(await job(some.headers.location as string)).toMatchObject({ success: false, capturedCount: 1 });
    expect(await stored([9, 10])).toEqual([9]);
  });

  it('refuses a list directly inside a list (no XML form, no event hash) before accepting', async () => {
    const res = await post({
      ...doc([event(2000, { 'example:matrix': [[1, 2]] })]),
      '@context': [...context, { example: 'https://ns.example.com/epcis/' }],
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors[0].pointer).toBe('/epcisBody/eventList/0/example:matrix');
  });

  it('prepares large documents on the capture thread', async () => {
    const before = captureThread.counts.thread;
    const serials = Array.from({ length: 300 }, (_, i) => 1000 + i);
    const res = await post(doc(serials.map((s) => event(s))));
    expect(res.statusCode, res.body).toBe(202);
    await t.tick();
    expect(captureThread.counts.thread).toBe(before + 1);
    expect(await job(res.headers.location as string)).toMatchObject({ success: true, capturedCount: 300 });
    expect(await stored(serials)).toHaveLength(300);
  });
});
