import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';

/** Where the web app's sources and its built files live. */
export type WebPaths = {
  /** `web/`: index.html, vite.config.ts, src/, public/. */
  webDir: string;
  /** `web/dist`: what the server serves. */
  distDir: string;
  /** Files whose change means the built app is stale (besides everything under `web/src` and `web/public`). */
  extraInputs: string[];
};

/** The repository's own `web/` folder. */
export const defaultWebPaths: WebPaths = (() => {
  const root = path.resolve(import.meta.dirname, '../..');
  const webDir = path.join(root, 'web');
  return {
    webDir,
    distDir: path.join(webDir, 'dist'),
    extraInputs: [
      path.join(webDir, 'index.html'),
      path.join(webDir, 'vite.config.ts'),
      // A dependency upgrade (React, MapLibre, ECharts…) changes the bundle too.
      path.join(root, 'package-lock.json'),
    ],
  };
})();

/** Why the app must be (re)built, or null when `web/dist` is current. */
export type BuildReason = 'missing' | 'stale' | null;

/** Newest modification time (ms) of a file or of every file under a folder; 0 when absent. */
export function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/**
 * Decides whether `web/dist` must be built: when its `index.html` is missing, or older than any
 * source. Without sources (an installation that ships only `dist`), a present build is current.
 */
export function buildReason(paths: WebPaths): BuildReason {
  const built = newestMtime(path.join(paths.distDir, 'index.html'));
  const sources = Math.max(
    newestMtime(path.join(paths.webDir, 'src')),
    newestMtime(path.join(paths.webDir, 'public')),
    ...paths.extraInputs.map(newestMtime),
  );
  if (built === 0) return 'missing';
  return sources > built ? 'stale' : null;
}

/** Whether sources to build from exist (a packaged installation may ship only `dist`). */
export function hasWebSources(paths: WebPaths): boolean {
  return fs.existsSync(path.join(paths.webDir, 'index.html')) && fs.existsSync(path.join(paths.webDir, 'src'));
}

const inFlight = new Map<string, Promise<BuildReason>>();

/**
 * Builds the web app with Vite's JavaScript API when `web/dist` is missing or stale, into a
 * temporary folder that then replaces `dist` by rename, so a request never sees half a build.
 * One build per process and folder at a time; later callers share it. Resolves to what was done.
 */
export function webAppBuilder(log: FastifyBaseLogger, paths: WebPaths = defaultWebPaths): Promise<BuildReason> {
  const running = inFlight.get(paths.distDir);
  if (running) return running;
  const job = buildIfNeeded(log, paths).finally(() => inFlight.delete(paths.distDir));
  inFlight.set(paths.distDir, job);
  return job;
}

async function buildIfNeeded(log: FastifyBaseLogger, paths: WebPaths): Promise<BuildReason> {
  const reason = buildReason(paths);
  if (reason === null) return null;
  if (!hasWebSources(paths)) {
    log.error({ webDir: paths.webDir }, 'web app not built and its sources are missing: the screens are unavailable');
    return reason;
  }
  removeLeftovers(paths.distDir);
  const started = Date.now();
  log.info({ reason, distDir: paths.distDir }, 'building the web app (vite build)…');
  const temp = `${paths.distDir}.tmp-${process.pid}-${started}`;
  try {
    await viteBuildInWorker({
      configFile: path.join(paths.webDir, 'vite.config.ts'),
      root: paths.webDir,
      logLevel: 'warn',
      build: { outDir: temp, emptyOutDir: true },
    });
    const old = `${paths.distDir}.old-${process.pid}-${started}`;
    if (fs.existsSync(paths.distDir)) fs.renameSync(paths.distDir, old);
    fs.renameSync(temp, paths.distDir);
    fs.rmSync(old, { recursive: true, force: true });
    log.info({ reason, ms: Date.now() - started }, 'web app built');
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    log.error({ err }, 'web app build failed: the screens are unavailable until it is fixed');
    throw err;
  }
  return reason;
}

/** Removes `dist.tmp-<pid>-…` and `dist.old-<pid>-…` folders left by a build whose process died. */
function removeLeftovers(distDir: string): void {
  const dir = path.dirname(distDir);
  const pattern = new RegExp(`^${path.basename(distDir)}\\.(tmp|old)-(\\d+)-\\d+$`);
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const pid = Number(pattern.exec(name)?.[2]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Runs in a worker thread: Vite's `build()` with its own environment.
const buildWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.vite)
  .then(({ build }) => build(workerData.options))
  .then(
    () => parentPort.postMessage({ ok: true }),
    (err) => parentPort.postMessage({ ok: false, message: String((err && err.stack) || err) }),
  );
`;

/**
 * Vite's JavaScript API `build()`, in a worker thread of this process: the server keeps answering
 * while Rollup/Rolldown works, and the build sees `NODE_ENV=production` whatever the server runs
 * under (Vitest sets `test`, which would make a development build of React).
 */
function viteBuildInWorker(options: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(buildWorkerSource, {
      eval: true,
      env: { NODE_ENV: 'production' },
      workerData: { vite: import.meta.resolve('vite'), options },
    });
    let settled = false;
    worker.once('message', (m: { ok: boolean; message?: string }) => {
      settled = true;
      if (m.ok) resolve();
      else reject(new Error(`vite build failed: ${m.message}`));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`vite build worker exited with code ${code}`));
    });
  });
}
