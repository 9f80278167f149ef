import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { TimedTasks } from './timed-tasks.ts';

describe('timed tasks', () => {
  it('runs every task once per tick, at the clock’s time, in order, and reports failures', async () => {
    const clock = new ManualClock('2026-11-26T01:00:00Z');
    const errors: string[] = [];
    const runs: string[] = [];
    const tasks = new TimedTasks(clock, (_err, task) => errors.push(task));
    tasks.register({ name: 'a', everyMs: 1000, run: async (now) => runs.push(`a@${now.toISOString()}`) });
    tasks.register({
      name: 'b',
      everyMs: 1000,
      run: async () => {
        throw new Error('boom');
      },
    });
    await tasks.tick();
    clock.advance(60_000);
    await tasks.tick();
    expect(runs).toEqual(['a@2026-11-26T01:00:00.000Z', 'a@2026-11-26T01:01:00.000Z']);
    expect(errors).toEqual(['b', 'b']);
    expect(() => tasks.register({ name: 'a', everyMs: 1, run: async () => 0 })).toThrow(/twice/);
  });

  it('never runs a task twice at once', async () => {
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tasks = new TimedTasks(new ManualClock(), () => {});
    tasks.register({
      name: 'slow',
      everyMs: 1000,
      run: async () => {
        running += 1;
        most = Math.max(most, running);
        await gate;
        running -= 1;
      },
    });
    const first = tasks.tick();
    const second = tasks.tick();
    release();
    await Promise.all([first, second]);
    expect(most).toBe(1);
  });

  it('ignores kicks until started, and stops cleanly', async () => {
    let runs = 0;
    const tasks = new TimedTasks(new ManualClock(), () => {});
    tasks.register({ name: 'x', everyMs: 60_000, run: async () => (runs += 1) });
    tasks.kick('x');
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(0);
    tasks.start();
    tasks.kick('x');
    await new Promise((r) => setImmediate(r));
    await tasks.stop();
    expect(runs).toBe(1);
  });
});
