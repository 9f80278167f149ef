/**
 * `npm run bench -- epcis-capture [events]`: EPCIS 2.0 capture throughput end to end, as a client
 * sees it: from the first `POST /epcis/capture` (through the Fastify app, JSON text in) until every
 * capture job reports success — and then its events are queryable. Documents of 10,000 events (the
 * capture limit; 100,000 events by default), posted one after another by one client that waits for
 * each 202, on the embedded database as deployed (SQLite file, WAL, synchronous=FULL), with the
 * node's background work running as `serve` runs it (the capture worker; the capture thread). See docs/decisions/004-epcis-capture-write-path.md.
 * Baseline, same run: raw better-sqlite3 prepared-statement inserts of the very rows capture stores
 * (`epcis_events`, `epcis_event_ids`, `epcis_event_facets`) into a fresh database of the same
 * schema, one transaction per 10,000 events.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { apiTokenIssuer, userCreator } from '../src/kernel/auth/service.ts';
import { inTransaction } from '../src/kernel/db/unit-of-work.ts';
import { startRuntime } from '../src/server.ts';
import { capturePreparer } from '../src/trace/epcis/capture-prepare.ts';
import { CAPTURE_LIMIT } from '../src/trace/epcis/validate.ts';
import { eventHashOfEvent } from '../src/trace/event-hash/index.ts';
import type { Figure } from './lib.ts';
import { round } from './lib.ts';

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];

/** A food supply chain's everyday events: receiving, shipping, packing and transforming lots. */
export function event(i: number): Record<string, unknown> {
  const at = Date.UTC(2026, 10, 1) + i * 1000;
  const site = `urn:epc:id:sgln:6901234.${String(10000 + (i % 50)).padStart(5, '0')}.0`;
  const base = {
    eventTime: new Date(at).toISOString(),
    eventTimeZoneOffset: '+08:00',
    readPoint: { id: site.replace(/\.0$/, '.1') },
    bizLocation: { id: site },
  };
  const lot = `urn:epc:class:lgtin:6901234.0${String(10000 + (i % 97)).padStart(5, '0')}.L${Math.floor(i / 97)}`;
  const items = Array.from(
    { length: 3 },
    (_, k) => `urn:epc:id:sgtin:6901234.0${String(10000 + (i % 97)).padStart(5, '0')}.${i * 3 + k}`,
  );
  switch (i % 4) {
    case 0:
      return {
        type: 'ObjectEvent',
        ...base,
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        epcList: items,
        quantityList: [{ epcClass: lot, quantity: 12.5, uom: 'KGM' }],
      };
    case 1:
      return {
        type: 'ObjectEvent',
        ...base,
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        epcList: items,
        bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:6901234000004:D${i}` }],
        sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:6901234.00001' }],
        destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:6907654.00001' }],
      };
    case 2:
      return {
        type: 'AggregationEvent',
        ...base,
        action: 'ADD',
        bizStep: 'packing',
        parentID: `urn:epc:id:sscc:6901234.${String(1000000000 + i)}`,
        childEPCs: items,
      };
    default:
      return {
        type: 'TransformationEvent',
        ...base,
        bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: lot, quantity: 40, uom: 'KGM' }],
        outputEPCList: items,
        outputQuantityList: [{ epcClass: `${lot}P`, quantity: 38.2, uom: 'KGM' }],
      };
  }
}

const documentOf = (from: number, count: number) => ({
  '@context': CONTEXT,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-11-26T00:00:00Z',
  epcisBody: { eventList: Array.from({ length: count }, (_, k) => event(from + k)) },
});

/** The request bodies: `total` events in documents of at most 10,000. */
const bodiesOf = (total: number): string[] =>
  Array.from({ length: Math.ceil(total / CAPTURE_LIMIT) }, (_, d) =>
    JSON.stringify(documentOf(d * CAPTURE_LIMIT, Math.min(CAPTURE_LIMIT, total - d * CAPTURE_LIMIT))),
  );

/** Wall-clock and CPU seconds of this process (its threads included). */
type Timing = { seconds: number; cpuSeconds: number };
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const config = (dir: string) => loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', WEB_AUTOBUILD: 'false' });

export async function captureRun(
  total: number,
): Promise<Timing & { acceptSeconds: number; stored: number; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-bench-epcis-'));
  const runtime = await startRuntime(config(dir));
  const { ctx } = runtime;
  const app = await buildApp(ctx);
  ctx.tasks.start(); // as `serve` does: the capture worker runs when kicked
  const token = await inTransaction(ctx.db, ctx.clock, 'bench', async (unit) => {
    const user = await userCreator(unit, { username: 'bench-admin', displayName: 'bench', role: 'admin' });
    return apiTokenIssuer(unit, user.id, 'bench');
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' };
  const bodies = bodiesOf(total);
  // Warm-up outside the clock, as a server that has been running is: the capture thread started,
  // the JSON Schema compiled, the code of both threads compiled by the JIT (one document of other events).
  const warm = await app.inject({
    method: 'POST',
    url: '/epcis/capture',
    headers,
    payload: JSON.stringify(documentOf(10_000_000, CAPTURE_LIMIT)),
  });
  await jobsDone(app, headers, [warm.headers.location as string]);

  const started = performance.now();
  const cpu = cpuNow();
  const locations: string[] = [];
  for (const payload of bodies) {
    const res = await app.inject({ method: 'POST', url: '/epcis/capture', headers, payload });
    if (res.statusCode !== 202) throw new Error(`capture answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    locations.push(res.headers.location as string);
  }
  const acceptSeconds = (performance.now() - started) / 1000;
  const stored = await jobsDone(app, headers, locations);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuNow() - cpu;
  // Queryable: the last event captured comes back by its eventID.
  const lastHash = eventHashOfEvent(event(total - 1), CONTEXT);
  const found = await app.inject({ method: 'GET', url: `/epcis/events/${encodeURIComponent(lastHash)}`, headers });
  if (found.statusCode !== 200) throw new Error(`the last event is not queryable: ${found.statusCode}`);
  await ctx.tasks.stop();
  await app.close();
  await runtime.close();
  return { seconds, cpuSeconds, acceptSeconds, stored, dir };
}

/** Waits until every job has finished; returns how many events they stored (all must succeed). */
async function jobsDone(
  app: Awaited<ReturnType<typeof buildApp>>,
  headers: Record<string, string>,
  locations: string[],
) {
  let stored = 0;
  for (const url of locations) {
    for (;;) {
      const job = (await app.inject({ method: 'GET', url, headers })).json() as {
        running: boolean;
        success: boolean;
        capturedCount: number;
        errors: unknown[];
      };
      if (!job.running) {
        if (!job.success) throw new Error(`capture job failed: ${JSON.stringify(job.errors).slice(0, 300)}`);
        stored += job.capturedCount;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return stored;
}

/** The rows capture stores for these documents (capture-prepare's own output), as arrays of column values. */
function rowsOf(bodies: string[]) {
  const recordTime = '2026-11-26T00:00:00.000Z';
  const events: unknown[][] = [];
  const ids: unknown[][] = [];
  const facets: unknown[][] = [];
  let first = 1;
  for (const text of bodies) {
    const outcome = capturePreparer({ syntax: 'json', text, behaviour: 'rollback', recordTime });
    if (!outcome.ok) throw new Error('bench document is invalid');
    const p = outcome.prepared;
    for (const chunk of p.chunks) {
      const documents = chunk.documents.split('\n');
      (JSON.parse(chunk.events) as unknown[][]).forEach((r, i) => {
        const [k, eventId, hash, type, time, tz, action, step, disp, rp, bl, tid, rpKey, blKey] = r;
        const row = [first + (k as number), eventId, hash, type, time, tz, recordTime, action, step, disp, rp, bl, tid];
        events.push([...row, documents[i], 'raw-capture-id', 'raw-user', p.context, null, null, rpKey, blKey]);
      });
      for (const [k, ...rest] of JSON.parse(chunk.ids) as unknown[][]) ids.push([first + (k as number), ...rest]);
      for (const [k, ...rest] of JSON.parse(chunk.facets) as unknown[][]) facets.push([first + (k as number), ...rest]);
    }
    first += p.count;
  }
  return { events, ids, facets };
}

/** The same rows, written with raw prepared statements into a freshly migrated database file. */
async function rawRun(bodies: string[]): Promise<Timing> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-bench-raw-'));
  const runtime = await startRuntime(config(dir));
  await runtime.close();
  const { events, ids, facets } = rowsOf(bodies);
  const db = new SQLite(path.join(dir, 'civictwin.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const insertEvent = db.prepare(
    `INSERT INTO epcis_events (seq, event_id, event_hash, event_type, event_time, event_time_zone_offset, record_time,
     action, biz_step, disposition, read_point, biz_location, transformation_id, document, capture_id, captured_by,
     context, scope_path, owner_id, read_point_key, biz_location_key) VALUES (${Array(21).fill('?').join(', ')})`,
  );
  const insertId = db.prepare(
    'INSERT INTO epcis_event_ids (event_seq, identifier, role, quantity, uom) VALUES (?, ?, ?, ?, ?)',
  );
  const insertFacet = db.prepare(
    'INSERT INTO epcis_event_facets (event_seq, facet, text_value, num_value) VALUES (?, ?, ?, ?)',
  );
  const bySeq = (rows: unknown[][], from: number, to: number) =>
    rows.filter((r) => (r[0] as number) > from && (r[0] as number) <= to);
  const batches = Array.from({ length: Math.ceil(events.length / CAPTURE_LIMIT) }, (_, i) => {
    const [from, to] = [i * CAPTURE_LIMIT, (i + 1) * CAPTURE_LIMIT];
    return { events: bySeq(events, from, to), ids: bySeq(ids, from, to), facets: bySeq(facets, from, to) };
  });
  const started = performance.now();
  const cpu = cpuNow();
  for (const batch of batches)
    db.transaction(() => {
      for (const row of batch.events) insertEvent.run(row);
      for (const row of batch.ids) insertId.run(row);
      for (const row of batch.facets) insertFacet.run(row);
    })();
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuNow() - cpu;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { seconds, cpuSeconds };
}

/** The CBV 2.0 event hash alone (part of every capture) on parsed JSON, events per CPU-second, after a warm-up pass. */
function hashRun(total: number): number {
  const parsed = () => JSON.parse(JSON.stringify(Array.from({ length: total }, (_, i) => event(i)))) as object[];
  for (const e of parsed()) eventHashOfEvent(e, CONTEXT);
  const events = parsed();
  const cpu = cpuNow();
  for (const e of events) eventHashOfEvent(e, CONTEXT);
  return total / (cpuNow() - cpu);
}

export async function run(args: string[]): Promise<Figure[]> {
  const total = Number(args[0] ?? 100_000);
  const documents = Math.ceil(total / CAPTURE_LIMIT);
  // Other work on the machine slows every figure here; the load average says how much there was.
  const loadAverage = os.loadavg()[0] ?? 0;
  const raw = await rawRun(bodiesOf(total));
  const capture = await captureRun(total);
  fs.rmSync(capture.dir, { recursive: true, force: true });
  if (capture.stored !== total) throw new Error(`stored ${capture.stored} of ${total}`);
  const hash = hashRun(Math.min(total, 30_000));
  return [
    { name: 'machine load average (1 min) at start', unit: 'runnable', value: round(loadAverage, 2) },
    {
      name: `capture events/s (${total.toLocaleString('en')} events, ${documents} documents, one client, SQLite file)`,
      unit: 'events/s',
      value: round(total / capture.seconds, 0),
      baseline: round(total / raw.seconds, 0),
      target: '≥ 20000',
    },
    {
      name: 'capture: every document accepted (202), events/s',
      unit: 'events/s',
      value: round(total / capture.acceptSeconds, 0),
    },
    {
      name: 'capture events per CPU-second (both threads)',
      unit: 'events/cpu-s',
      value: round(total / capture.cpuSeconds, 0),
      baseline: round(total / raw.cpuSeconds, 0),
    },
    { name: 'the CBV 2.0 event hash alone, per CPU-second', unit: 'events/cpu-s', value: round(hash, 0) },
    { name: 'machine load average (1 min) at the end', unit: 'runnable', value: round(os.loadavg()[0] ?? 0, 2) },
  ];
}
