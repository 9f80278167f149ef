/**
 * `npm run bench -- epcis-capture [events]`: EPCIS 2.0 capture throughput through the real capture
 * service (parse → JSON Schema and CBV validation → CBV 2.0 event hash → dedupe → one transaction
 * of batched inserts of events, identifiers and facets, capture job, audit record, outbox event),
 * on the embedded database as deployed (SQLite file, WAL, synchronous=FULL), in documents of
 * 10,000 events (the capture limit). Baseline, same run: raw better-sqlite3 prepared-statement
 * inserts of the same `epcis_events` and `epcis_event_ids` rows in one transaction per 10,000.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config.ts';
import type { Principal } from '../src/kernel/auth/principal.ts';
import { userCreator } from '../src/kernel/auth/service.ts';
import { inTransaction } from '../src/kernel/db/unit-of-work.ts';
import { startRuntime } from '../src/server.ts';
import { CAPTURE_LIMIT, captureValidator, eventsCapturer } from '../src/trace/epcis/capture.ts';
import { readCaptureDocument } from '../src/trace/epcis/document.ts';
import { eventColumns, namedIdentifiers } from '../src/trace/epcis/extract.ts';
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

/** Wall-clock and CPU seconds of this process (CPU time is what contention with other processes does not inflate). */
type Timing = { seconds: number; cpuSeconds: number };
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function captureRun(total: number): Promise<Timing & { stored: number; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-bench-epcis-'));
  const { ctx, database } = await startRuntime(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }));
  const user = await inTransaction(ctx.db, ctx.clock, 'bench', (unit) =>
    userCreator(unit, { username: 'bench-admin', displayName: 'bench', role: 'admin' }),
  );
  const caller: Principal = {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    role: 'admin',
    scope: { placeId: null, path: null, gridId: null },
    via: 'token',
  };
  // Documents are made (and JSON-parsed, as Fastify would) before the clock starts.
  const bodies = Array.from({ length: Math.ceil(total / CAPTURE_LIMIT) }, (_, d) =>
    JSON.stringify(documentOf(d * CAPTURE_LIMIT, Math.min(CAPTURE_LIMIT, total - d * CAPTURE_LIMIT))),
  );
  const parsed = bodies.map((b) => JSON.parse(b) as unknown);
  const started = performance.now();
  const cpu = cpuNow();
  let stored = 0;
  for (const body of parsed) {
    const doc = readCaptureDocument(body, 'json');
    const invalid = captureValidator(doc, 'rollback');
    const job = await inTransaction(ctx.db, ctx.clock, 'user:bench-admin', (unit) =>
      eventsCapturer(unit, caller, doc, 'rollback', invalid),
    );
    stored += Number(job.captured_count);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuNow() - cpu;
  await database.close();
  return { seconds, cpuSeconds, stored, dir };
}

/** The same rows, written with raw prepared statements into a freshly migrated database file. */
async function rawRun(total: number): Promise<Timing> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-bench-raw-'));
  const { database } = await startRuntime(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }));
  await database.close();
  const events: unknown[][] = [];
  const ids: unknown[][] = [];
  for (let i = 0; i < total; i++) {
    const e = event(i);
    const hash = eventHashOfEvent(e, CONTEXT);
    const c = eventColumns(e);
    const document = JSON.stringify({ ...e, eventID: hash, recordTime: '2026-11-26T00:00:00.000Z' });
    events.push([
      i + 1,
      hash,
      hash,
      c.event_type,
      c.event_time,
      c.event_time_zone_offset,
      '2026-11-26T00:00:00.000Z',
      c.action,
      c.biz_step,
      c.disposition,
      c.read_point,
      c.biz_location,
      c.transformation_id,
      document,
      'raw',
      'bench',
    ]);
    for (const n of namedIdentifiers(e)) ids.push([i + 1, n.identifier, n.role, n.quantity, n.uom]);
  }
  const db = new SQLite(path.join(dir, 'civictwin.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insertEvent = db.prepare(
    `INSERT INTO epcis_events (seq, event_id, event_hash, event_type, event_time, event_time_zone_offset, record_time,
     action, biz_step, disposition, read_point, biz_location, transformation_id, document, capture_id, captured_by)
     VALUES (${Array(16).fill('?').join(', ')})`,
  );
  const insertId = db.prepare(
    'INSERT INTO epcis_event_ids (event_seq, identifier, role, quantity, uom) VALUES (?, ?, ?, ?, ?)',
  );
  const started = performance.now();
  const cpu = cpuNow();
  for (let from = 0; from < total; from += CAPTURE_LIMIT) {
    db.transaction(() => {
      for (const row of events.slice(from, from + CAPTURE_LIMIT)) insertEvent.run(...row);
      for (const row of ids)
        if ((row[0] as number) > from && (row[0] as number) <= from + CAPTURE_LIMIT) insertId.run(...row);
    })();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuNow() - cpu;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { seconds, cpuSeconds };
}

/** The CBV 2.0 event hash alone (part of every capture), events/s. */
function hashRun(total: number): number {
  const events = Array.from({ length: total }, (_, i) => event(i));
  const cpu = cpuNow();
  for (const e of events) eventHashOfEvent(e, CONTEXT);
  return total / (cpuNow() - cpu);
}

export async function run(args: string[]): Promise<Figure[]> {
  const total = Number(args[0] ?? 30_000);
  const raw = await rawRun(total);
  const capture = await captureRun(total);
  fs.rmSync(capture.dir, { recursive: true, force: true });
  if (capture.stored !== total) throw new Error(`stored ${capture.stored} of ${total}`);
  const hash = hashRun(total);
  return [
    {
      name: `capture events/s (${total.toLocaleString('en')} events, SQLite file)`,
      unit: 'events/s',
      value: round(total / capture.seconds, 0),
      baseline: round(total / raw.seconds, 0),
      target: '≥ 20000',
    },
    {
      name: 'capture events per CPU-second of the process',
      unit: 'events/cpu-s',
      value: round(total / capture.cpuSeconds, 0),
      baseline: round(total / raw.cpuSeconds, 0),
    },
    { name: 'the CBV 2.0 event hash alone, per CPU-second', unit: 'events/cpu-s', value: round(hash, 0) },
  ];
}
