import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { apiTokenIssuer, userCreator } from '../src/kernel/auth/service.ts';
import { inTransaction } from '../src/kernel/db/unit-of-work.ts';
import { startRuntime } from '../src/server.ts';
import { type SignalRecord, toRecords } from '../src/signals/parse.ts';
import { lastSeq } from '../src/signals/store.ts';
import { deviceCreator } from '../src/twin/devices.ts';
import { placeCreator } from '../src/twin/places.ts';
import { type Figure, percentile, round } from './lib.ts';

/**
 * `ingest`: signals per second stored in the signal log with the rules evaluated (the consumer has
 * caught up), over HTTP batches (`POST /api/signals`) and over MQTT (embedded broker, QoS 1), on
 * the embedded database as configured for production (WAL, synchronous=FULL). The load comes from
 * a worker thread (the devices' side), so the server keeps its own core. Baseline, same run: raw
 * better-sqlite3 inserting the same rows into the same table and index, in transactions of 1,000.
 * Floor, same run: the same client and bodies against a bare Fastify route that parses the JSON and
 * answers (nothing checked, stored or evaluated) — what the transport alone allows on this machine.
 *
 * Arguments: `--signals N` (default 200000), `--devices N` (default 1000), `--only http|mqtt`,
 * `--rounds N` (default 3: baseline, HTTP and MQTT interleaved, medians reported),
 * `--profile FILE` (a V8 CPU profile of the server's thread during the measured loads only).
 */
export async function run(args: string[]): Promise<Figure[]> {
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const total = arg('signals', 200_000);
  const deviceCount = arg('devices', 1000);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const profile = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
  const rounds = arg('rounds', 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-bench-ingest-'));
  try {
    const world = await startServer(dir, deviceCount, profile);
    const figures: Figure[] = [];
    const rows = sampleRecords(world.devices, total);

    // Rounds interleave the baseline and the pipelines, so a change in the machine's speed (other
    // virtual machines on the host) touches both; each figure is the median of its rounds.
    const rawRates: number[] = [];
    const httpRates: number[] = [];
    const floorRates: number[] = [];
    const floor = only === 'mqtt' ? undefined : await startFloorServer();
    const mqttRates: number[] = [];
    const mqttTotal = Math.min(total, 100_000);
    for (let r = 0; r < rounds; r++) {
      rawRates.push(rawInsertRate(path.join(dir, `raw-${r}.sqlite`), rows));
      if (only !== 'mqtt') {
        const http = await world.measure(() => load(world, { mode: 'http', total, batch: 1000, connections: 4 }));
        httpRates.push(total / http.seconds);
        if (floor) {
          const go = await load(world, { mode: 'http', total, batch: 1000, connections: 4, port: floor.port });
          const t0 = performance.now();
          await go();
          floorRates.push(total / ((performance.now() - t0) / 1000));
        }
      }
      if (only !== 'http') {
        const mqtt = await world.measure(() =>
          load(world, { mode: 'mqtt', total: mqttTotal, batch: 10, connections: 8 }),
        );
        mqttRates.push(mqttTotal / mqtt.seconds);
      }
    }
    const raw = percentile(rawRates, 50);
    const spread = (rates: number[]) => `median of ${rates.length}: ${rates.map((v) => Math.round(v)).join(', ')}`;
    figures.push({ name: `raw inserts, 1,000 a transaction (${spread(rawRates)})`, unit: 'rows/s', value: round(raw) });
    if (only !== 'mqtt') {
      figures.push({
        name: `HTTP batches → stored + rules evaluated (${spread(httpRates)})`,
        unit: 'signals/s',
        value: round(percentile(httpRates, 50)),
        baseline: round(raw),
        target: '≥ 50000, ≥ 0.5 × raw',
      });
      figures.push({
        name: `HTTP floor: same client and bodies, a bare route that only parses the JSON (${spread(floorRates)})`,
        unit: 'signals/s',
        value: round(percentile(floorRates, 50)),
        baseline: round(raw),
      });
    }
    if (only !== 'http') {
      figures.push({
        name: `MQTT QoS1, 10 readings/message → stored + rules (${spread(mqttRates)})`,
        unit: 'signals/s',
        value: round(percentile(mqttRates, 50)),
        baseline: round(raw),
        target: '≥ 50000, ≥ 0.5 × raw',
      });
      const mqttSingle = await world.measure(() =>
        load(world, { mode: 'mqtt', total: mqttTotal / 2, batch: 1, connections: 8 }),
      );
      figures.push({
        name: 'MQTT QoS1, 1 reading/message → stored + rules',
        unit: 'signals/s',
        value: round(mqttTotal / 2 / mqttSingle.seconds),
        baseline: round(raw),
      });
    }
    const stats = world.stats();
    figures.push({ name: 'signals per commit (mean, all runs)', unit: 'signals', value: round(stats.perCommit) });
    figures.push({ name: 'alarms raised (all runs)', unit: 'alarms', value: stats.raised });
    await floor?.close();
    await world.close();
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Device = { id: string; code: string; kind: string; token: string };

const kinds = ['temp_humidity', 'smoke', 'smart_bin', 'gas', 'water_level', 'manhole', 'ai_camera'] as const;

/** A realistic reading of a device kind; now and then one that sets off a rule. */
function reading(kind: string, i: number): Record<string, unknown> {
  const hot = i % 5000 === 0;
  switch (kind) {
    case 'temp_humidity':
      return { temperature: 20 + (i % 70) / 10, humidity: 40 + (i % 30) };
    case 'smoke':
      return { smoke: hot, battery: 90 };
    case 'smart_bin':
      return { fill_level: hot ? 95 : i % 80 };
    case 'gas':
      return { gas_lel: hot ? 25 : i % 5, gas_alarm: hot };
    case 'water_level':
      return { water_leak: false, water_level_cm: i % 3 };
    case 'manhole':
      return { tilt_deg: i % 4, displaced: false };
    default:
      return hot
        ? { detection: { type: 'garbage_overflow', confidence: 0.91, snapshotUrl: 'https://img.example/1.jpg' } }
        : { people: i % 9 };
  }
}

async function startServer(dir: string, deviceCount: number, profile: string | undefined) {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0' });
  const rt = await startRuntime(config);
  const app = await buildApp(rt.ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  await rt.ctx.signals.start({ mqtt: true });
  const ctx = rt.ctx;
  const setup = await inTransaction(ctx.db, ctx.clock, 'bench', async (unit) => {
    const place = await placeCreator(unit, ctx.twin, {
      code: 'bench-compound',
      kind: 'district',
      name: '基准',
      parentId: null,
      geometry: { type: 'Point', coordinates: [104.1, 30.66] },
    });
    const created = await deviceCreator(
      unit,
      ctx.twin,
      Array.from({ length: deviceCount }, (_, i) => ({
        code: `bench-${i}`,
        name: `设备${i}`,
        kind: kinds[i % kinds.length] as string,
        placeId: place.id,
        location: [104.1, 30.66] as [number, number],
      })),
      false,
    );
    const admin = await userCreator(unit, { username: 'bench', displayName: 'bench', role: 'admin' });
    const token = await apiTokenIssuer(unit, admin.id, 'bench');
    return {
      devices: created.map((c) => ({ id: c.row.id, code: c.row.code, kind: c.row.kind, token: c.accessToken })),
      token,
    };
  });
  const address = app.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : 0;
  let runs = 0;
  const profiler = profile ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
  }
  return {
    devices: setup.devices,
    adminToken: setup.token,
    httpPort,
    mqttPort: ctx.signals.mqttPort ?? 0,
    nextRun: () => ++runs,
    /** Runs a load (once it is ready) and times it until every signal is stored and evaluated. */
    async measure(prepare: () => Promise<() => Promise<void>>) {
      const go = await prepare();
      await profiler?.post('Profiler.start');
      const t0 = performance.now();
      await go();
      await ctx.signals.writer.flush();
      for (;;) {
        await ctx.signals.consumer.drain();
        const head = await lastSeq(ctx.db);
        if (ctx.signals.consumer.stats.position >= head) break;
      }
      if (profiler && profile) {
        const { profile: taken } = await profiler.post('Profiler.stop');
        fs.writeFileSync(`${profile}.${runs}.cpuprofile`, JSON.stringify(taken));
      }
      return { seconds: (performance.now() - t0) / 1000 };
    },
    stats() {
      const w = ctx.signals.writer.stats;
      return { perCommit: w.stored / Math.max(1, w.commits), raised: ctx.signals.rules.stats.raised };
    },
    async close() {
      await ctx.signals.stop();
      await app.close();
      await rt.close();
    },
  };
}

/** The same kind of rows the pipeline stores, for the raw baseline. */
function sampleRecords(devices: Device[], n: number): SignalRecord[] {
  const t0 = Date.parse('2026-11-26T00:00:00Z');
  const out: SignalRecord[] = [];
  for (let i = 0; i < n; i++) {
    const d = devices[i % devices.length] as Device;
    out.push(...toRecords(d.id, [{ kind: 'telemetry', tsMs: t0 + i, values: reading(d.kind, i) }], t0 + i, 'batch'));
  }
  return out;
}

/** The transport's floor: a bare Fastify server (same limits) whose route parses the body and answers. */
async function startFloorServer() {
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.post('/api/signals', async (req) => ({ accepted: (req.body as { items: unknown[] }).items.length }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => app.close() };
}

/** Raw better-sqlite3: the signal log's table and index (as migrated), prepared inserts, 1,000 rows per transaction. */
function rawInsertRate(file: string, rows: SignalRecord[]): number {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`create table signal_log (seq integer primary key, idem_key text not null, device_id text not null,
    kind text not null, ts text not null, received_at text not null, payload text not null, source text not null);
    create unique index signal_log_idem on signal_log (idem_key);`);
  const insert = db.prepare('insert into signal_log values (?, ?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((part: SignalRecord[], from: number) => {
    part.forEach((r, i) => {
      insert.run(from + i, r.idemKey, r.deviceId, r.kind, r.ts, r.receivedAt, r.payload, r.source);
    });
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) batch(rows.slice(i, i + 1000), i + 1);
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return rows.length / seconds;
}

/**
 * The devices' side, in a worker thread: prepares its messages, then (on `go`) sends them as HTTP
 * batches or MQTT publishes, as fast as they are acknowledged.
 */
async function load(
  world: Awaited<ReturnType<typeof startServer>>,
  opts: { mode: 'http' | 'mqtt'; total: number; batch: number; connections: number; port?: number },
): Promise<() => Promise<void>> {
  const require = createRequire(import.meta.url);
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: {
      ...opts,
      run: world.nextRun(),
      mqttModule: require.resolve('mqtt'),
      httpPort: opts.port ?? world.httpPort,
      mqttPort: world.mqttPort,
      adminToken: world.adminToken,
      devices: world.devices,
      readingSource: reading.toString(),
    },
  });
  const next = () =>
    new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve()));
      worker.once('error', reject);
    });
  await next();
  return async () => {
    const done = next();
    worker.postMessage('go');
    await done;
    await worker.terminate();
  };
}

// Plain JavaScript: the worker runs without the TypeScript loader.
const workerSource = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const d = workerData;
const reading = new Function('return ' + d.readingSource)();
const t0 = Date.parse('2026-11-26T00:00:00Z') + d.run * 1e9;
const agent = new http.Agent({ keepAlive: true, maxSockets: d.connections });
function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: d.httpPort, path: '/api/signals', method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + d.adminToken } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(res.statusCode + ' ' + text))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const go = () => new Promise((resolve) => parentPort.once('message', resolve));
async function viaHttp() {
  const bodies = [];
  for (let i = 0; i < d.total; i += d.batch) {
    const items = [];
    for (let j = i; j < Math.min(d.total, i + d.batch); j++) {
      const dev = d.devices[j % d.devices.length];
      items.push({ device: dev.code, ts: t0 + j, values: reading(dev.kind, j) });
    }
    bodies.push(JSON.stringify({ items }));
  }
  parentPort.postMessage({});
  await go();
  let next = 0;
  await Promise.all(Array.from({ length: d.connections }, async () => {
    while (next < bodies.length) await post(bodies[next++]);
  }));
}
async function viaMqtt() {
  const mqtt = require(d.mqttModule);
  const perClient = Math.ceil(d.total / d.connections);
  let ready = 0;
  const started = go();
  await Promise.all(Array.from({ length: d.connections }, async (_, c) => {
    const dev = d.devices[c];
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:' + d.mqttPort, { username: dev.token, clientId: 'bench-' + d.run + '-' + c });
    const messages = [];
    for (let i = 0; i < perClient; i += d.batch) {
      const msg = [];
      for (let j = i; j < Math.min(perClient, i + d.batch); j++) {
        const k = c * perClient + j;
        msg.push({ ts: t0 + k, values: reading(dev.kind, k) });
      }
      messages.push(JSON.stringify(msg));
    }
    if (++ready === d.connections) parentPort.postMessage({});
    await started;
    let inflight = 0, sent = 0, acked = 0;
    await new Promise((resolve, reject) => {
      const pump = () => {
        while (inflight < 500 && sent < messages.length) {
          inflight++;
          client.publish('v1/devices/me/telemetry', messages[sent++], { qos: 1 }, (err) => {
            if (err) return reject(err);
            inflight--; acked++;
            if (acked === messages.length) resolve(); else pump();
          });
        }
      };
      pump();
    });
    await client.endAsync();
  }));
}
(d.mode === 'http' ? viaHttp() : viaMqtt()).then(
  () => parentPort.postMessage({}),
  (err) => parentPort.postMessage({ error: String(err && err.stack || err) }),
);
`;
