import type { Clock } from '../kernel/clock.ts';

/**
 * Background work that runs on an interval (escalation timers, webhook retries). Each task reads
 * time from the injectable clock, never from `Date`, so tests drive it with `ManualClock.advance`
 * and `tick()` instead of sleeping.
 */
export type TimedTask = {
  name: string;
  /** Real-time interval between runs once started. */
  everyMs: number;
  run(now: Date): Promise<unknown>;
};

/**
 * The timed tasks of a node: `start()` runs each on its interval (the server does this), `stop()`
 * ends them and waits for runs in progress, `tick()` runs every task once now (tests, and a
 * catch-up at start), `kick(name)` asks for an early run (after a commit that made work for it).
 * A task never runs twice at once.
 */
export class TimedTasks {
  private readonly tasks: TimedTask[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private started = false;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown, task: string) => void,
  ) {}

  register(task: TimedTask): void {
    if (this.tasks.some((t) => t.name === task.name)) throw new Error(`timed task ${task.name} registered twice`);
    this.tasks.push(task);
    if (this.started) this.schedule(task);
  }

  /** Runs every task once at the clock's current time, in registration order; resolves when all are done. */
  async tick(): Promise<void> {
    for (const task of this.tasks) await this.runOnce(task);
  }

  /** Starts the intervals. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const task of this.tasks) this.schedule(task);
  }

  /** Stops the intervals and waits for any run in progress. */
  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.running.values()]);
  }

  /** Asks for an early run of one task (only while started; tests call `tick`). */
  kick(name: string): void {
    if (!this.started) return;
    const task = this.tasks.find((t) => t.name === name);
    if (task) setImmediate(() => void this.runOnce(task));
  }

  private schedule(task: TimedTask): void {
    const timer = setInterval(() => void this.runOnce(task), task.everyMs);
    timer.unref();
    this.timers.push(timer);
  }

  private runOnce(task: TimedTask): Promise<void> {
    const busy = this.running.get(task.name);
    if (busy) return busy;
    const run = (async () => {
      try {
        await task.run(this.clock.now());
      } catch (err) {
        this.onError(err, task.name);
      }
    })().finally(() => this.running.delete(task.name));
    this.running.set(task.name, run);
    return run;
  }
}
