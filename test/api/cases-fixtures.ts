import { expect } from 'vitest';
import { inTransaction } from '../../src/kernel/db/unit-of-work.ts';
import { emitEvent } from '../../src/kernel/events/outbox.ts';
import type { AlarmEventPayload } from '../../src/rules/events.ts';
import { buildWorld, type TestApp, type TestUser } from '../helpers/test-app.ts';

/**
 * The test world of buildWorld plus the people of the closed loop: grid A-1 has a worker and a
 * head; community A a leader; the sub-district a dispatcher; a district dispatcher; a resident of
 * community A; a worker of grid B-1; an admin.
 */
export async function buildCaseWorld(t: TestApp) {
  const w = await buildWorld(t);
  const admin = await t.user('admin');
  const dispatcher = await t.user('dispatcher', { placeId: w.district.id });
  const dispatcher2 = await t.user('dispatcher', { placeId: w.district.id });
  const workerA1 = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
  const workerA1b = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
  const headA1 = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
  const workerA2 = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA2.id });
  const workerB1 = await t.user('worker', { placeId: w.communityB.id, gridId: w.gridB1.id });
  const leaderA = await t.user('leader', { placeId: w.communityA.id });
  const streetDispatcher = await t.user('dispatcher', { placeId: w.street.id });
  const resident = await t.user('resident', { placeId: w.communityA.id });
  const residentB = await t.user('resident', { placeId: w.communityB.id });
  const handler = await t.user('handler', { placeId: w.district.id });
  for (const [grid, workerId, headId] of [
    [w.gridA1.id, workerA1.id, headA1.id],
    [w.gridA2.id, workerA2.id, null],
    [w.gridB1.id, workerB1.id, null],
  ] as const) {
    const res = await t.inject({
      method: 'PATCH',
      url: `/api/grids/${grid}`,
      headers: admin.headers,
      payload: { workerId, headId },
    });
    expect(res.statusCode).toBe(200);
  }
  return {
    ...w,
    admin,
    dispatcher,
    dispatcher2,
    workerA1,
    workerA1b,
    headA1,
    workerA2,
    workerB1,
    leaderA,
    streetDispatcher,
    resident,
    residentB,
    handler,
  };
}
export type CaseWorld = Awaited<ReturnType<typeof buildCaseWorld>>;

/** Calls the API and returns status and JSON. */
export async function call(
  t: TestApp,
  who: TestUser | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  const res = await t.inject({
    method,
    url,
    ...(who ? { headers: who.headers } : {}),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  const json = String(res.headers['content-type'] ?? '').includes('json') ? res.json() : undefined;
  return { status: res.statusCode, json, res };
}

/** Takes a workflow action and expects it to succeed; returns the case. */
export async function act(t: TestApp, who: TestUser, caseId: string, body: Record<string, unknown>) {
  const r = await call(t, who, 'POST', `/api/cases/${caseId}/actions`, body);
  expect(r.status, `${body.action}: ${JSON.stringify(r.json)}`).toBe(200);
  return r.json;
}

let alarmSeq = 0;

/** An alarm payload as the rules engine emits it, at a device of the world. */
export function alarmPayload(
  device: {
    row: {
      id: string;
      code: string;
      kind: string;
      place_id: string;
      path: string;
      grid_id: string | null;
      lng: number;
      lat: number;
    };
  },
  over: Partial<AlarmEventPayload> = {},
): AlarmEventPayload {
  alarmSeq += 1;
  return {
    alarmId: `alarm-${alarmSeq}-${Math.random().toString(36).slice(2, 8)}`,
    ruleId: 'rule-garbage',
    ruleVersion: 1,
    deviceId: device.row.id,
    deviceCode: device.row.code,
    deviceKind: 'ai_camera',
    placeId: device.row.place_id,
    placePath: device.row.path,
    gridId: device.row.grid_id,
    location: [device.row.lng, device.row.lat],
    category: 'garbage_overflow',
    severity: 'minor',
    title: '垃圾堆积',
    status: 'active',
    detection: {
      type: 'garbage_overflow',
      confidence: 0.91,
      snapshotUrl: 'https://cam.example/snap/1.jpg',
      at: '2026-11-26T01:00:00.000Z',
    },
    count: 1,
    firstAt: '2026-11-26T01:00:00.000Z',
    lastAt: '2026-11-26T01:00:00.000Z',
    ...over,
  };
}

/** Emits an alarm event into the outbox as the rules engine does, then lets the processors run. */
export async function emitAlarm(t: TestApp, type: string, payload: AlarmEventPayload): Promise<number> {
  const seq = await inTransaction(t.ctx.db, t.ctx.clock, 'test', (unit) =>
    emitEvent(unit, { type, subjectType: 'alarm', subjectId: payload.alarmId, payload }, t.ctx.events.wake),
  );
  await t.tick();
  return seq;
}

/** A resident's report at compound A1 (grid A-1). */
export function reportBody(w: CaseWorld, over: Record<string, unknown> = {}) {
  return {
    category: 'exposed_garbage',
    description: '小区门口垃圾堆了两天',
    placeId: w.compoundA1.id,
    location: [104.105, 30.665],
    photos: ['upload:photo-1'],
    ...over,
  };
}
