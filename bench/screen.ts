import os from 'node:os';
import type { Page } from 'playwright-core';
import { apiTokenIssuer } from '../src/kernel/auth/service.ts';
import { findUserByUsername } from '../src/kernel/auth/store.ts';
import { inTransaction } from '../src/kernel/db/unit-of-work.ts';
import type { Runtime } from '../src/server.ts';
import { deviceCreator } from '../src/twin/devices.ts';
import { deviceKinds } from '../src/twin/schema.ts';
import * as twinStore from '../src/twin/store.ts';
import { hasChromium, launchChromium, screenshotPath, signIn, startTestServer } from '../test/browser/harness.ts';
import { type Figure, percentile, round } from './lib.ts';

/**
 * `npm run bench -- screen`: first render of the big screen (/screen, 1920×1080, headless
 * Chromium with SwiftShader) with 10,000 devices, beside the demo district's 773 measured in the
 * same run. First render = navigation start → the map has drawn the twin's layers (MapLibre
 * `idle` after the data was set: the `civictwin:map-ready` mark). Median of 3 loads after a
 * warm-up load (scripts cached, as on a wall display that reloads).
 * Then frame time (p95 of requestAnimationFrame intervals over 10 s) while this process posts
 * 1,000 signals/s through `POST /api/signals` (batches of 100 every 100 ms, as an admin's API
 * token), beside the same 10 s with no signals.
 */
export async function run(args: string[]): Promise<Figure[]> {
  if (!hasChromium) throw new Error('the screen bench needs /usr/bin/chromium (apt-get install chromium)');
  const target = Number(args[0] ?? 10_000);
  const server = await startTestServer();
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await signIn(page, server.url, 'leader');
    const load1 = os.loadavg()[0] ?? 0;
    const baseline = await measure(page, server.url);
    const added = await addDevices(server.runtime, target - baseline.devices);
    const loaded = await measure(page, server.url, async () => {
      await page.screenshot({ path: screenshotPath(`screen-${target}-devices.png`) });
    });
    if (loaded.devices !== baseline.devices + added) throw new Error(`expected ${baseline.devices + added} devices`);
    const idle = await framesDuring(page, 10_000);
    const busy = await framesDuring(page, 10_000, signalDriver(server.runtime, server.url, 1_000));
    process.stdout.write(`  signals stored while sampling frames: ${busy.sent} in 10 s\n`);
    const name = (what: string) => `${what}, ${loaded.devices.toLocaleString('en')} devices (vs ${baseline.devices})`;
    return [
      {
        name: name('first render'),
        unit: 'ms',
        value: loaded.render,
        baseline: baseline.render,
        target: '≤ 2000',
      },
      { name: name('devices fetched (all pages)'), unit: 'ms', value: loaded.fetch, baseline: baseline.fetch },
      { name: name('frame p95 while zooming'), unit: 'ms', value: loaded.frameP95, baseline: baseline.frameP95 },
      {
        // The baseline here is the same 10,000-device screen with no signals, not the demo's 773.
        name: `frame p95 while 1,000 signals/s arrive for 10 s, ${loaded.devices.toLocaleString('en')} devices (vs no signals)`,
        unit: 'ms',
        value: busy.p95,
        baseline: idle.p95,
      },
      // Context for the figures above: on a shared 2-core machine, other processes' load slows software WebGL.
      { name: 'machine load average (1 min) at start', unit: 'procs', value: round(load1, 2) },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

type Load = { devices: number; render: number; fetch: number; frameP95: number };

const readMarks = `(() => {
  const ready = performance.getEntriesByName('civictwin:map-ready')[0];
  const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name.replace('civictwin:', ''), Math.round(m.startTime)]));
  const devices = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/devices'));
  return {
    render: ready ? ready.startTime : null,
    fetch: Math.max(0, ...devices.map((r) => r.responseEnd)),
    devices: Number(document.querySelector('[data-kpi=devices] .kpi__value').textContent.replace(/[^0-9]/g, '')),
    marks,
  };
})()`;

// Frame intervals while the map zooms in by two levels over two seconds (clusters split and re-form).
const zoomFrames = `new Promise((resolve) => {
  const map = document.querySelector('[data-testid=district-map]').maplibreMap;
  const frames = [];
  let last = performance.now();
  let running = true;
  const tick = (t) => { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  map.easeTo({ zoom: map.getZoom() + 2, duration: 2000 });
  map.once('moveend', () => { running = false; resolve(frames.slice(1)); });
})`;

async function loadOnce(page: Page, url: string) {
  await page.goto(`${url}/screen`);
  await page.locator('[data-testid=district-map][data-ready=true]').waitFor({ timeout: 120_000 });
  const load = (await page.evaluate(readMarks)) as {
    render: number | null;
    fetch: number;
    devices: number;
    marks: Record<string, number>;
  };
  // Where the time goes, for the reader of the bench's output (ms since navigation start).
  process.stdout.write(`  ${load.devices} devices: fetched ${Math.round(load.fetch)} ${JSON.stringify(load.marks)}\n`);
  return load;
}

/** One warm-up load, then the median of three; frame times from the last load (after `afterLoads`). */
async function measure(page: Page, url: string, afterLoads?: () => Promise<void>): Promise<Load> {
  await loadOnce(page, url);
  const loads = [];
  for (let i = 0; i < 3; i++) loads.push(await loadOnce(page, url));
  await afterLoads?.();
  const frames = (await page.evaluate(zoomFrames)) as number[];
  const median = (xs: number[]) => percentile(xs, 50);
  const renders = loads.map((l) => l.render ?? Number.NaN);
  return {
    devices: loads[0]?.devices ?? 0,
    render: round(median(renders)),
    fetch: round(median(loads.map((l) => l.fetch))),
    frameP95: round(percentile(frames, 95)),
  };
}

/** Adds `count` devices spread over the compounds, through the same use case as the API (audited). */
async function addDevices(runtime: Runtime, count: number): Promise<number> {
  if (count <= 0) return 0;
  const { ctx } = runtime;
  const all = { placeId: null, path: null, gridId: null };
  const { rows } = await twinStore.listPlaces(ctx.db, all, { kind: 'compound' }, { limit: 1000, offset: 0 });
  const boxes = rows
    .filter((p) => p.geometry)
    .map((p) => {
      const ring = (JSON.parse(p.geometry ?? '{}') as { coordinates: number[][][] }).coordinates[0] ?? [];
      const xs = ring.map((c) => c[0] ?? 0);
      const ys = ring.map((c) => c[1] ?? 0);
      return { id: p.id, box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] };
    });
  // A fixed sequence, so every run places the same devices.
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const inputs = Array.from({ length: count }, (_, i) => {
    const c = boxes[i % boxes.length]!;
    const [x0, y0, x1, y1] = c.box as [number, number, number, number];
    return {
      code: `bench-${String(i).padStart(5, '0')}`,
      name: `压测设备 ${i}`,
      kind: deviceKinds[i % deviceKinds.length]!,
      placeId: c.id,
      location: [x0 + rnd() * (x1 - x0), y0 + rnd() * (y1 - y0)] as [number, number],
    };
  });
  await inTransaction(ctx.db, ctx.clock, 'bench', (unit) => deviceCreator(unit, ctx.twin, inputs, false));
  return count;
}

// Frame intervals for `ms` milliseconds of an idle screen (the map does not move).
const idleFrames = (ms: number) => `new Promise((resolve) => {
  const frames = [];
  const end = performance.now() + ${ms};
  let last = performance.now();
  const tick = (t) => { frames.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else resolve(frames.slice(1)); };
  requestAnimationFrame(tick);
})`;

/** p95 of the page's frame intervals over `ms`, while `load` (if any) runs in this process. */
async function framesDuring(
  page: Page,
  ms: number,
  load?: (ms: number) => Promise<number>,
): Promise<{ p95: number; sent: number }> {
  const [frames, sent] = await Promise.all([
    page.evaluate(idleFrames(ms)) as Promise<number[]>,
    load ? load(ms) : Promise.resolve(0),
  ]);
  return { p95: round(percentile(frames, 95)), sent };
}

/**
 * Posts `perSecond` telemetry signals per second for a while, in batches every 100 ms, over the
 * twin's devices in turn; returns how many were stored. Paced by the wall clock, so a slow server
 * shows as fewer signals sent, not as a burst.
 */
function signalDriver(runtime: Runtime, url: string, perSecond: number): (ms: number) => Promise<number> {
  return async (ms) => {
    const { ctx } = runtime;
    const admin = await findUserByUsername(ctx.db, 'admin');
    if (!admin) throw new Error('the demo has no admin user');
    const token = await inTransaction(ctx.db, ctx.clock, 'bench', (unit) => apiTokenIssuer(unit, admin.id, 'bench'));
    const codes = (await twinStore.allDeviceKinds(ctx.db)).map((d) => d.code);
    const batch = perSecond / 10;
    let next = 0;
    let stored = 0;
    const start = Date.now();
    for (let tick = 0; Date.now() - start < ms; tick++) {
      const items = Array.from({ length: batch }, () => {
        const device = codes[next++ % codes.length]!;
        return { device, values: { temperature: 20 + (next % 10), battery: 90 } };
      });
      const res = await fetch(`${url}/api/signals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      if (!res.ok) throw new Error(`POST /api/signals: ${res.status} ${await res.text()}`);
      stored += ((await res.json()) as { stored: number }).stored;
      const wait = start + (tick + 1) * 100 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return stored;
  };
}
