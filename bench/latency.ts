import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildApp } from '../src/app.ts';
import { caseSettingsUpdater } from '../src/cases/settings.ts';
import { loadConfig } from '../src/config.ts';
import { apiTokenIssuer, userCreator } from '../src/kernel/auth/service.ts';
import { inTransaction } from '../src/kernel/db/unit-of-work.ts';
import { startRuntime } from '../src/server.ts';
import { deviceCreator } from '../src/twin/devices.ts';
import { gridCreator } from '../src/twin/grids.ts';
import { placeCreator } from '../src/twin/places.ts';
import { type Figure, percentile, round } from './lib.ts';

/**
 * `latency`: a camera publishes a 高空抛物 detection over MQTT → signal log → rules → alarm →
 * case (registered, dispatched to the grid's worker) → push on that worker's WebSocket. Measured
 * from the publish to the `case.updated` (dispatch) message, p50 and p99, while other devices
 * send a steady background load; baseline in the same run: the same path with no load.
 * The server runs in this thread; the devices and the worker's phone in worker threads.
 *
 * Arguments: `--samples N` (default 200), `--rate N` background signals/s (default 5000).
 */
export async function run(args: string[]): Promise<Figure[]> {
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const samples = arg('samples', 200);
  const rate = arg('rate', 5000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-bench-latency-'));
  try {
    const world = await startServer(dir, samples * 2 + 20, 500);
    const idle = await sample(world, Math.max(20, Math.floor(samples / 2)), 0);
    const loaded = await sample(world, samples, rate);
    await world.close();
    return [
      {
        name: `publish → worker push, p50, under ${rate} signals/s`,
        unit: 'ms',
        value: round(percentile(loaded.latencies, 50), 2),
        baseline: round(percentile(idle.latencies, 50), 2),
      },
      {
        name: `publish → worker push, p99, under ${rate} signals/s`,
        unit: 'ms',
        value: round(percentile(loaded.latencies, 99), 2),
        baseline: round(percentile(idle.latencies, 99), 2),
        target: '≤ 50',
      },
      { name: 'background load achieved', unit: 'signals/s', value: round(loaded.loadRate), target: `${rate}` },
      { name: 'pushes received / detections sent (loaded)', unit: 'ratio', value: loaded.latencies.length / samples },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type World = Awaited<ReturnType<typeof startServer>>;

/** A community with one grid and its worker, cameras in a compound, background sensors. */
/** The bench's server and its world (exported for ad-hoc probes of the latency path). */
export async function startServer(dir: string, cameras: number, sensors: number) {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0' });
  const rt = await startRuntime(config);
  const app = await buildApp(rt.ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await rt.ctx.signals.start({ mqtt: true });
  rt.ctx.tasks.start();
  const ctx = rt.ctx;
  const rect = (x0: number, y0: number, x1: number, y1: number) => ({
    type: 'Polygon' as const,
    coordinates: [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ] as [number, number][],
    ],
  });
  const setup = await inTransaction(ctx.db, ctx.clock, 'bench', async (unit) => {
    const district = await placeCreator(unit, ctx.twin, {
      code: 'bench-district',
      kind: 'district',
      name: '基准区',
      parentId: null,
      geometry: rect(104, 30.6, 104.2, 30.8),
    });
    const street = await placeCreator(unit, ctx.twin, {
      code: 'bench-street',
      kind: 'subdistrict',
      name: '基准街道',
      parentId: district.id,
      geometry: rect(104, 30.6, 104.2, 30.8),
    });
    const community = await placeCreator(unit, ctx.twin, {
      code: 'bench-community',
      kind: 'community',
      name: '基准社区',
      parentId: street.id,
      geometry: rect(104.1, 30.66, 104.12, 30.68),
    });
    const compound = await placeCreator(unit, ctx.twin, {
      code: 'bench-compound',
      kind: 'compound',
      name: '基准小区',
      parentId: community.id,
      geometry: rect(104.101, 30.661, 104.109, 30.669),
    });
    const worker = await userCreator(unit, {
      username: 'bench-worker',
      displayName: '网格员',
      role: 'worker',
      scopePlaceId: community.id,
    });
    await gridCreator(unit, ctx.twin, {
      code: '510108001001001',
      name: '基准网格',
      communityId: community.id,
      geometry: rect(104.1, 30.66, 104.11, 30.68),
      workerId: worker.id,
    });
    // Every detection is its own case here, so that each one is dispatched and pushed.
    await caseSettingsUpdater(unit, { joinWindowMinutes: 0 });
    const created = await deviceCreator(
      unit,
      ctx.twin,
      [
        ...Array.from({ length: cameras }, (_, i) => ({
          code: `cam-${i}`,
          name: `摄像头${i}`,
          kind: 'ai_camera',
          placeId: compound.id,
          location: [104.105, 30.665] as [number, number],
        })),
        ...Array.from({ length: sensors }, (_, i) => ({
          code: `th-${i}`,
          name: `温湿度${i}`,
          kind: 'temp_humidity',
          placeId: compound.id,
          location: [104.105, 30.665] as [number, number],
        })),
      ],
      false,
    );
    return {
      cameras: created
        .filter((c) => c.row.kind === 'ai_camera')
        .map((c) => ({ code: c.row.code, token: c.accessToken })),
      sensors: created.filter((c) => c.row.kind !== 'ai_camera').map((c) => c.accessToken),
      workerToken: await apiTokenIssuer(unit, worker.id, 'bench'),
    };
  });
  const address = app.server.address();
  let nextCamera = 0;
  return {
    ...setup,
    httpPort: typeof address === 'object' && address ? address.port : 0,
    mqttPort: ctx.signals.mqttPort ?? 0,
    takeCameras: (n: number) => {
      const taken = setup.cameras.slice(nextCamera, nextCamera + n);
      nextCamera += n;
      return taken;
    },
    async close() {
      await ctx.tasks.stop();
      await ctx.signals.stop();
      await app.close();
      await rt.close();
    },
  };
}

/** Runs `n` detections one after another (each waits for its push), with background load at `rate`. */
async function sample(world: World, n: number, rate: number) {
  const require = createRequire(import.meta.url);
  const modules = { mqtt: require.resolve('mqtt'), ws: require.resolve('ws') };
  const common = { ...modules, mqttPort: world.mqttPort, httpPort: world.httpPort };
  const load =
    rate > 0
      ? new Worker(loadSource, { eval: true, workerData: { ...common, rate, tokens: world.sensors } })
      : undefined;
  const loadReady = load ? once(load) : Promise.resolve({});
  await loadReady;
  const probe = new Worker(probeSource, {
    eval: true,
    workerData: { ...common, cameras: world.takeCameras(n), workerToken: world.workerToken },
  });
  const result = (await once(probe)) as { latencies: number[]; error?: string };
  await probe.terminate();
  let loadRate = 0;
  if (load) {
    load.postMessage('stop');
    loadRate = ((await once(load)) as { rate: number }).rate;
    await load.terminate();
  }
  if (result.error) throw new Error(result.error);
  return { latencies: result.latencies, loadRate };
}

function once(worker: Worker): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

// Plain JavaScript: worker threads run without the TypeScript loader.

/** Background devices: `rate` readings/s over MQTT QoS 1, 10 readings per message, paced every 20 ms. */
const loadSource = `
const { workerData: d, parentPort } = require('node:worker_threads');
const mqtt = require(d.mqtt);
(async () => {
  const clients = await Promise.all(d.tokens.slice(0, 50).map((token) => mqtt.connectAsync('mqtt://127.0.0.1:' + d.mqttPort, { username: token, reconnectPeriod: 0 })));
  parentPort.postMessage({ ready: true });
  let sent = 0, i = 0, stop = false;
  const t0 = Date.now();
  parentPort.on('message', () => { stop = true; });
  const perTick = d.rate / 50 / 10; // messages of 10 readings per 20 ms tick
  let carry = 0;
  const timer = setInterval(() => {
    carry += perTick;
    while (carry >= 1) {
      carry -= 1;
      const c = clients[i++ % clients.length];
      const ts = Date.now();
      const batch = Array.from({ length: 10 }, (_, k) => ({ ts: ts - k, values: { temperature: 20 + (i % 50) / 10, humidity: 40 + k } }));
      c.publish('v1/devices/me/telemetry', JSON.stringify(batch), { qos: 1 });
      sent += 10;
    }
    if (stop) {
      clearInterval(timer);
      const seconds = (Date.now() - t0) / 1000;
      Promise.all(clients.map((c) => c.endAsync())).then(() => parentPort.postMessage({ rate: sent / seconds }));
    }
  }, 20);
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

/** The worker's phone (a WebSocket) and the cameras: one detection at a time, timed until its push. */
const probeSource = `
const { workerData: d, parentPort } = require('node:worker_threads');
const mqtt = require(d.mqtt);
const WebSocket = require(d.ws);
(async () => {
  const ws = new WebSocket('ws://127.0.0.1:' + d.httpPort + '/api/live?token=' + d.workerToken);
  const waiting = new Map();
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (m.type !== 'case.updated' || !m.data || m.data.step.action !== 'dispatch') return;
    const code = String(m.data.description).split(':')[0];
    const w = waiting.get(code);
    if (w) { waiting.delete(code); w(performance.now()); }
  });
  await new Promise((resolve, reject) => { ws.on('message', function live(raw) { if (JSON.parse(raw.toString()).type === 'live') { ws.off('message', live); resolve(); } }); ws.on('error', reject); });
  const latencies = [];
  for (const cam of d.cameras) {
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:' + d.mqttPort, { username: cam.token, reconnectPeriod: 0 });
    const pushed = new Promise((resolve) => waiting.set(cam.code, resolve));
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 5000));
    const t0 = performance.now();
    client.publish('v1/devices/me/telemetry', JSON.stringify({ detection: { type: 'high_altitude_throw', confidence: 0.93, snapshotUrl: 'https://cam.example/' + cam.code + '.jpg' } }), { qos: 1 });
    const at = await Promise.race([pushed, timeout]);
    if (at !== null) latencies.push(at - t0);
    waiting.delete(cam.code);
    await client.endAsync();
  }
  ws.close();
  parentPort.postMessage({ latencies });
})().catch((e) => parentPort.postMessage({ latencies: [], error: String(e && e.stack || e) }));
`;
