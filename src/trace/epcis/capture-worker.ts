/**
 * The capture worker: runs accepted capture jobs (capture.ts) in queue order, one transaction
 * each, the job's document prepared on the capture thread while the previous job is written. The
 * queue is the database (`epcis_capture_queue`): a job accepted before a crash is run after the
 * restart, and on several nodes each job is run once (taking it off the queue is part of the
 * transaction that stores its events).
 */
import type { AppContext } from '../../app-context.ts';
import type { Principal } from '../../kernel/auth/principal.ts';
import type { Role } from '../../kernel/auth/roles.ts';
import { findUserById } from '../../kernel/auth/store.ts';
import { sqliteOf } from '../../kernel/db/connection.ts';
import { inTransaction } from '../../kernel/db/unit-of-work.ts';
import { jobFailer, jobRunner } from './capture.ts';
import { captureThread } from './capture-pool.ts';
import { type PrepareOutcome, problemOfData, receivedForm } from './capture-prepare.ts';
import * as queue from './capture-store.ts';
import { EpcisProblem } from './problems.ts';
import * as store from './store.ts';

/** The timed task that runs capture jobs (also kicked after every accepted document). */
export const CAPTURE_TASK = 'epcis.capture';
/** Attempts at a job that fails for another reason than its content before it is recorded as failed. */
export const MAX_ATTEMPTS = 3;
/** Prepared documents kept from acceptance until their job runs (more are prepared again from the queue). */
const KEPT = 8;

/** Runs the capture queue of one node. */
export class CaptureWorker {
  private readonly prepared = new Map<string, Promise<PrepareOutcome>>();
  private readonly attempts = new Map<string, number>();
  private more = false;

  constructor(private readonly ctx: AppContext) {}

  /** After an accepted job committed: keep its preparation (maybe still under way) for the run, and get to work. */
  accepted(jobId: string, prepared: Promise<PrepareOutcome>): void {
    if (this.prepared.size < KEPT) this.prepared.set(jobId, prepared);
    this.wake();
  }

  /** Asks for a run soon (only on a started node; tests call `drain` or `TestApp.tick`). */
  wake(): void {
    this.more = true;
    this.ctx.tasks.kick(CAPTURE_TASK);
  }

  /** Runs every queued job, oldest first; resolves when the queue is empty or a job must wait for a retry. */
  async drain(): Promise<void> {
    do {
      this.more = false;
      for (;;) {
        const [head, after] = await queue.queuedJobs(this.ctx.db, 2);
        if (!head) break;
        const outcome = this.outcomeOf(head);
        if (after) this.outcomeOf(after); // prepared on the thread while this job is written
        if (!(await this.run(head, outcome))) return;
      }
    } while (this.more);
  }

  private outcomeOf(q: queue.QueuedJob): Promise<PrepareOutcome> {
    const kept = this.prepared.get(q.job_id);
    if (kept) return kept;
    const outcome = (async () => {
      const [job, body] = await Promise.all([
        store.findJob(this.ctx.db, q.job_id),
        queue.queuedBody(this.ctx.db, q.seq),
      ]);
      if (!job || !body) throw new Error(`capture job ${q.job_id} is not queued`);
      return captureThread.prepare({
        ...receivedForm(body),
        behaviour: job.error_behaviour as 'rollback' | 'proceed',
        recordTime: job.created_at,
      }).prepared;
    })();
    outcome.catch(() => undefined); // awaited (and reported) by `run`
    this.prepared.set(q.job_id, outcome);
    return outcome;
  }

  /** Runs one job; false when it failed for a reason that may pass (it stays queued). */
  private async run(q: queue.QueuedJob, pending: Promise<PrepareOutcome>): Promise<boolean> {
    const { db, clock } = this.ctx;
    try {
      const outcome = await pending;
      const job = await store.findJob(db, q.job_id);
      if (!job) throw new Error(`capture job ${q.job_id} is missing`);
      const caller = await principalOf(this.ctx, job.created_by);
      await inTransaction(db, clock, `user:${caller.username}`, async (unit) => {
        if (!(await queue.dequeue(unit.tx, q.seq))) return; // another node ran it
        if (!outcome.ok) await jobFailer(unit, job, problemOfData(outcome.problem));
        else
          await jobRunner(unit, caller, job, outcome.prepared, { sqlite: sqliteOf(db), notify: this.ctx.events.wake });
      });
    } catch (error) {
      if (error instanceof EpcisProblem) return this.fail(q, error);
      const attempts = (this.attempts.get(q.job_id) ?? 0) + 1;
      this.attempts.set(q.job_id, attempts);
      this.ctx.log.error({ err: error, captureId: q.job_id, attempts }, 'capture job failed');
      if (attempts < MAX_ATTEMPTS) {
        this.prepared.delete(q.job_id);
        return false;
      }
      return this.fail(q, new EpcisProblem(500, 'ImplementationException', '采集失败 Capture failed', String(error)));
    }
    this.prepared.delete(q.job_id);
    this.attempts.delete(q.job_id);
    return true;
  }

  /** Records a job as failed (nothing of it stored) and takes it off the queue. */
  private async fail(q: queue.QueuedJob, problem: EpcisProblem): Promise<boolean> {
    this.prepared.delete(q.job_id);
    this.attempts.delete(q.job_id);
    const job = await store.findJob(this.ctx.db, q.job_id);
    await inTransaction(this.ctx.db, this.ctx.clock, 'system', async (unit) => {
      if (job && (await queue.dequeue(unit.tx, q.seq))) await jobFailer(unit, job, problem);
    });
    return true;
  }
}

/** Who captures: the user who submitted the job, as authenticated then. */
async function principalOf(ctx: AppContext, userId: string): Promise<Principal> {
  const user = await findUserById(ctx.db, userId);
  if (!user)
    throw new EpcisProblem(403, 'SecurityException', '超出管辖范围 Outside your scope', 'the capturing user is gone');
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role as Role,
    scope: { placeId: user.scope_place_id, path: user.scope_path, gridId: user.scope_grid_id },
    via: 'token',
  };
}

const workers = new WeakMap<AppContext, CaptureWorker>();

/** The capture worker of a node (created, and its timed task registered, on first use). */
export function captureWorkerOf(ctx: AppContext): CaptureWorker {
  let worker = workers.get(ctx);
  if (!worker) {
    const created = new CaptureWorker(ctx);
    workers.set(ctx, created);
    ctx.tasks.register({ name: CAPTURE_TASK, everyMs: 1_000, run: () => created.drain() });
    worker = created;
  }
  return worker;
}
