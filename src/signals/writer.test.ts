import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from '../../test/helpers/test-app.ts';
import { Problem } from '../kernel/problems.ts';
import type { SignalRecord } from './parse.ts';
import { SignalWriter } from './writer.ts';

describe('signal writer (group commit)', () => {
  let t: TestApp;
  let writer: SignalWriter;
  let commits = 0;
  let n = 0;
  beforeAll(async () => {
    t = await TestApp.start();
    writer = new SignalWriter(
      t.ctx.db,
      t.ctx.signals.logTarget,
      t.clock,
      { maxDelayMs: 0, maxItems: 1000 },
      {
        onCommit: () => {
          commits += 1;
        },
      },
    );
  });
  afterAll(() => t.stop());

  const record = (over: Partial<SignalRecord> = {}): SignalRecord => {
    n += 1;
    return {
      idemKey: `writer-test-${n}`,
      deviceId: 'dev-w',
      kind: 'telemetry',
      ts: '2026-11-26T01:00:00.000Z',
      receivedAt: '2026-11-26T01:00:00.000Z',
      payload: JSON.stringify({ n }),
      source: 'http',
      ...over,
    };
  };
  const stored = async (keys: string[]) =>
    (await t.ctx.db.selectFrom('signal_log').select('idem_key').where('idem_key', 'in', keys).execute()).length;

  it('answers nobody before the commit, then everyone who shared it', async () => {
    const release = writer.hold();
    const batches = [[record(), record()], [record()], [record()]];
    const answered: number[] = [];
    const pending = batches.map((b, i) => writer.submit(b).then((r) => answered.push(i) && r));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toEqual([]);
    expect(await stored(batches.flat().map((r) => r.idemKey))).toBe(0);
    const before = writer.stats.commits;
    release();
    expect(await Promise.all(pending)).toEqual([
      { stored: 2, duplicates: 0 },
      { stored: 1, duplicates: 0 },
      { stored: 1, duplicates: 0 },
    ]);
    expect(writer.stats.commits - before).toBe(1);
    expect(commits).toBeGreaterThan(0);
    expect(await stored(batches.flat().map((r) => r.idemKey))).toBe(4);
  });

  it('stores a repeated key once, in one group or across groups', async () => {
    const a = record();
    const release = writer.hold();
    const first = writer.submit([a, { ...a }]);
    const second = writer.submit([{ ...a }]);
    release();
    expect(await first).toEqual({ stored: 1, duplicates: 1 });
    expect(await second).toEqual({ stored: 0, duplicates: 1 });
    expect(await writer.submit([{ ...a }, record()])).toEqual({ stored: 1, duplicates: 1 });
    expect(await stored([a.idemKey])).toBe(1);
  });

  it('writes nothing of a group whose transaction fails, and says so (503)', async () => {
    const good = record();
    const bad = record({ kind: 'bogus' as 'telemetry' });
    const release = writer.hold();
    const one = writer.submit([good]);
    const two = writer.submit([bad]);
    release();
    const [r1, r2] = await Promise.allSettled([one, two]);
    expect(r1.status).toBe('rejected');
    expect(r2.status).toBe('rejected');
    const reason = (r1 as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(Problem);
    expect((reason as Problem).status).toBe(503);
    expect(await stored([good.idemKey, bad.idemKey])).toBe(0);
    expect(await writer.submit([good])).toEqual({ stored: 1, duplicates: 0 });
  });

  it('splits a long queue into transactions of about maxItems, never splitting a submission', async () => {
    const small = new SignalWriter(
      t.ctx.db,
      t.ctx.signals.logTarget,
      t.clock,
      { maxDelayMs: 0, maxItems: 3 },
      { onCommit: () => undefined },
    );
    const release = small.hold();
    const subs = [[record(), record()], [record(), record()], [record()]].map((b) => small.submit(b));
    release();
    await Promise.all(subs);
    expect(small.stats.commits).toBe(2);
    await small.close();
    await expect(small.submit([record()])).rejects.toBeInstanceOf(Problem);
  });
});
