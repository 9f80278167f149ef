/**
 * Where capture requests are prepared (capture-prepare.ts): on a worker thread, so that parsing,
 * validation, hashing and row building use the second core while the main thread answers HTTP
 * and writes to the database. The thread answers twice: once the document is checked (the 202
 * need not wait for the hashes, and the client sends its next document meanwhile), then prepared.
 * Small documents are prepared on the main thread: a round trip (and the thread's first start)
 * costs more than it saves. Should the thread not start, every request is prepared on the main
 * thread; should it fail, its requests are prepared again there.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type CheckOutcome,
  captureChecker,
  draftPreparer,
  type PrepareOutcome,
  type PrepareRequest,
} from './capture-prepare.ts';

/** Bodies shorter than this (about 100 events) are prepared on the main thread. */
export const THREAD_MIN_BYTES = 64 * 1024;

/** A request in progress: the check (what the 202 needs) and the preparation (what the job needs). */
export type Preparation = { checked: Promise<CheckOutcome>; prepared: Promise<PrepareOutcome> };

type Settle<T> = { resolve: (v: T) => void; reject: (e: unknown) => void };
type Pending = { request: PrepareRequest; checked: Settle<CheckOutcome>; prepared: Settle<PrepareOutcome> };
type Answer = { id: number; phase: 'checked' | 'prepared'; outcome?: CheckOutcome | PrepareOutcome; error?: string };

/** The thread runs TypeScript like the rest of civictwin: through tsx (its ESM API), registered in the thread. */
function threadCode(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  const tsx = pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api'].import.default)).href;
  const entry = new URL('./capture-thread.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

/** The preparing thread of this process (one: the main thread and it share the machine's two cores). */
export class CaptureThread {
  private worker: Worker | undefined;
  private unavailable = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests the thread answered, and those prepared on the main thread (tests and the bench read them). */
  readonly counts = { thread: 0, main: 0 };

  /** Checks and prepares a request on the thread (large bodies) or here. */
  prepare(request: PrepareRequest, onThread = request.text.length >= THREAD_MIN_BYTES): Preparation {
    if (!onThread || this.unavailable) {
      this.counts.main++;
      return inline(request);
    }
    const worker = this.started();
    const id = this.nextId++;
    const preparation = settled(request);
    this.pending.set(id, preparation.pending);
    worker.ref(); // a pending request keeps the process alive; an idle thread does not
    worker.postMessage({ id, request });
    return preparation.promises;
  }

  /** Ends the thread (it is started again when needed). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(threadCode(), { eval: true });
    let answered = false;
    worker.on('message', (m: Answer) => {
      answered = true;
      const p = this.pending.get(m.id);
      if (!p) return;
      const settle = m.phase === 'checked' ? p.checked : p.prepared;
      if (m.outcome) settle.resolve(m.outcome as never);
      else settle.reject(new Error(`capture thread: ${m.error}`));
      if (m.phase === 'checked' && m.error) p.prepared.reject(new Error(`capture thread: ${m.error}`));
      if (m.phase === 'prepared' || m.error) {
        this.pending.delete(m.id);
        this.counts.thread++;
        if (this.pending.size === 0) worker.unref();
      }
    });
    const fail = () => {
      if (this.worker === worker) this.worker = undefined;
      // A thread that never answered could not start here: prepare everything on the main thread.
      if (!answered) this.unavailable = true;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      this.counts.main += waiting.length;
      for (const p of waiting) {
        const again = inline(p.request);
        again.checked.then(p.checked.resolve, p.checked.reject);
        again.prepared.then(p.prepared.resolve, p.prepared.reject);
      }
    };
    worker.on('error', fail);
    worker.on('exit', () => {
      if (this.pending.size > 0) fail();
      else if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** Two promises and their settlers. */
function settled(request: PrepareRequest): { pending: Pending; promises: Preparation } {
  let checked!: Settle<CheckOutcome>;
  let prepared!: Settle<PrepareOutcome>;
  const promises: Preparation = {
    checked: new Promise((resolve, reject) => {
      checked = { resolve, reject };
    }),
    prepared: new Promise((resolve, reject) => {
      prepared = { resolve, reject };
    }),
  };
  promises.prepared.catch(() => undefined); // awaited (and reported) by the capture worker, if at all
  return { pending: { request, checked, prepared }, promises };
}

/** Both halves here, at once. */
function inline(request: PrepareRequest): Preparation {
  try {
    const { outcome, draft } = captureChecker(request);
    const prepared = draft ? draftPreparer(draft) : (outcome as PrepareOutcome);
    return { checked: Promise.resolve(outcome), prepared: Promise.resolve(prepared) };
  } catch (error) {
    const failed = Promise.reject(error);
    failed.catch(() => undefined);
    return { checked: Promise.reject(error), prepared: failed };
  }
}

/** This process's capture thread. */
export const captureThread = new CaptureThread();
