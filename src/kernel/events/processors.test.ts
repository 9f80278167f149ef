import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../../../test/helpers/test-app.ts';
import { inTransaction } from '../db/unit-of-work.ts';
import type { DomainEvent } from './outbox.ts';
import { emitEvent, positionOf } from './outbox.ts';

describe('outbox and event processors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  const emit = (type: string, id: string, rollback = false) =>
    inTransaction(t.ctx.db, t.clock, 'test', async (unit) => {
      await emitEvent(unit, { type, subjectType: 'thing', subjectId: id, payload: { id } });
      if (rollback) throw new Error('rolled back');
    }).catch(() => undefined);

  it('hands each committed event of its types to a processor exactly once, in order, surviving failures', async () => {
    const seen: string[] = [];
    let failNext = true;
    t.ctx.events.register({
      name: 'test-collector',
      handles: ['thing.made'],
      async handle(unit, events: DomainEvent[]) {
        for (const e of events) {
          await emitEvent(unit, { type: 'thing.noted', subjectType: 'thing', subjectId: e.subjectId, payload: {} });
          if (failNext && e.subjectId === 'b') {
            failNext = false;
            throw new Error('crash in the middle of a batch');
          }
          seen.push(e.subjectId);
        }
      },
    });
    await emit('thing.made', 'a');
    await emit('thing.made', 'x', true);
    await emit('other.type', 'o');
    await emit('thing.made', 'b');
    await t.ctx.events.drain();
    expect(seen).toEqual(['a']);
    expect(await positionOf(t.ctx.db, 'test-collector')).toBe(0);
    await t.ctx.events.drain();
    expect(seen).toEqual(['a', 'a', 'b']);
    const noted = await t.ctx.db
      .selectFrom('domain_events')
      .select('subject_id')
      .where('type', '=', 'thing.noted')
      .orderBy('seq')
      .execute();
    expect(noted.map((n) => n.subject_id)).toEqual(['a', 'b']);
    await t.ctx.events.drain();
    expect(seen).toEqual(['a', 'a', 'b']);
  });
});
