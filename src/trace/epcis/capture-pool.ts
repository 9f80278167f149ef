/**
 * Where capture requests are prepared (capture-prepare.ts): on a worker thread, so that parsing,
 * validation, hashing and row building use the second core while the main thread answers HTTP
 * and writes to the database. Small documents are prepared on the main thread: a round trip
 * (and the thread's first start) costs more than it saves. Should the thread not start, every
 * request is prepared on the main thread; should it fail, its requests are prepared again there.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { capturePreparer, type PrepareOutcome, type PrepareRequest } from './capture-prepare.ts';

/** Bodies shorter than this (about 100 events) are prepared on the main thread. */
export const THREAD_MIN_BYTES = 64 * 1024;

type Pending = { request: PrepareRequest; resolve: (o: PrepareOutcome) => void; reject: (e: unknown) => void };

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

  /** Prepares a request on the thread (large bodies) or here. */
  prepare(request: PrepareRequest, onThread = request.text.length >= THREAD_MIN_BYTES): Promise<PrepareOutcome> {
    if (!onThread || this.unavailable) {
      this.counts.main++;
      return inline(request);
    }
    const worker = this.started();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { request, resolve, reject });
      worker.ref(); // a pending request keeps the process alive; an idle thread does not
      worker.postMessage({ id, request });
    });
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
    worker.on('message', (m: { id: number; outcome?: PrepareOutcome; error?: string }) => {
      answered = true;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (!p) return;
      this.counts.thread++;
      if (m.outcome) p.resolve(m.outcome);
      else p.reject(new Error(`capture thread: ${m.error}`));
    });
    const fail = (error: unknown) => {
      if (this.worker === worker) this.worker = undefined;
      // A thread that never answered could not start here: prepare everything on the main thread.
      if (!answered) this.unavailable = true;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      this.counts.main += waiting.length;
      for (const p of waiting) inline(p.request).then(p.resolve, p.reject);
      void error;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.pending.size > 0) fail(new Error(`capture thread exited with ${code}`));
      else if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

function inline(request: PrepareRequest): Promise<PrepareOutcome> {
  try {
    return Promise.resolve(capturePreparer(request));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** This process's capture thread. */
export const captureThread = new CaptureThread();
