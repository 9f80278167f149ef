/**
 * `npm run bench -- epcis [--events N] [--lots N] [--cbv-hash] [--keep]`: trace back and forward on a
 * generated pork-sausage supply chain (src/trace/fixtures/supply-chain.ts; 1,000,000 events by
 * default) in a fresh SQLite database under a temp dir, beside a naive client-side trace measured in
 * the same run: the same walk, but one events-by-identifier query per identifier, answering whole
 * documents that the client reads — what a client does through `GET /epcis/events?MATCH_anyEPC=…`
 * (emulated in SQL, without HTTP). Both must find the same events. Capture throughput is measured by
 * bench/epcis-capture.ts (the capture engineer's); here: the fixture load rate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDb } from '../src/kernel/db/connection.ts';
import { migrateToLatest } from '../src/kernel/db/migrate.ts';
import { eventHashOfEvent } from '../src/trace/event-hash/index.ts';
import type { FixtureEvent, HashMode } from '../src/trace/fixtures/event-writer.ts';
import { SqliteBulkWriter, withDeferredIndexes } from '../src/trace/fixtures/sqlite-bulk-writer.ts';
import { SupplyChainGenerator } from '../src/trace/fixtures/supply-chain.ts';
import { type EpcisEventDocument, identifierRowsOf, utcEventTime } from '../src/trace/graph/event-fields.ts';
import { normaliseIdentifier } from '../src/trace/graph/identifiers.ts';
import type { Direction, TraceEvent } from '../src/trace/graph/rules.ts';
import { documentsNaming, type Visibility } from '../src/trace/graph/store.ts';
import { lotTracer } from '../src/trace/graph/tracer.ts';
import { type EventSource, traceWalker } from '../src/trace/graph/walker.ts';
import { type Figure, percentile, round } from './lib.ts';

const all: Visibility = { kind: 'all' };

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
}

/** Deterministic sample of `n` items. */
function sample<T>(items: readonly T[], n: number, seed = 7): T[] {
  let a = seed;
  const next = () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return a / 2 ** 31;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}

const log = (line: string) => process.stdout.write(`  ${line}\n`);

/** Generates and loads the chain, then measures traces against the naive client in the same run. */
export async function run(args: string[]): Promise<Figure[]> {
  const events = option(args, '--events', 1_000_000);
  const lots = option(args, '--lots', 200);
  const hash: HashMode = args.includes('--cbv-hash') ? 'cbv' : 'fixture';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-epcis-'));
  // Other work on the machine slows every figure here; the load average says how much there was.
  const loadAverage = os.loadavg()[0] ?? 0;
  const figures: Figure[] = [];
  try {
    const migrated = await openDb({ dataDir: dir });
    await migrateToLatest(migrated);
    await migrated.close();

    // Load: one connection, prepared statements, 5,000 events a transaction, indexes built after;
    // synchronous=OFF while loading a throw-away fixture (capture commits with synchronous=FULL).
    const file = path.join(dir, 'civictwin.sqlite');
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -262144');
    const writer = new SqliteBulkWriter(sqlite, hash);
    const generator = new SupplyChainGenerator({ events });
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let written = 0;
    withDeferredIndexes(sqlite, () => {
      let batch: FixtureEvent[] = [];
      for (const event of generator.events()) {
        batch.push(event);
        if (batch.length < 5000) continue;
        writer.write(batch);
        written += batch.length;
        batch = [];
        if (written % 200_000 === 0) log(`${written.toLocaleString('en')} events stored`);
      }
      writer.write(batch);
      written += batch.length;
      log('indexing');
    });
    const loadSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const loadCpuSeconds = (cpu.user + cpu.system) / 1e6;
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
    const megabytes = fs.statSync(file).size / 2 ** 20;
    log(
      `${written.toLocaleString('en')} events, ${writer.identifierRows.toLocaleString('en')} identifier rows, ${round(loadSeconds)} s, ${round(megabytes)} MiB (${hash} hashes)`,
    );
    figures.push(
      { name: 'machine load average (1 min) at start', unit: 'runnable', value: round(loadAverage, 2) },
      { name: 'fixture load: generate + index + insert', unit: 'events/s', value: round(written / loadSeconds) },
      {
        name: 'fixture load, per CPU second (this process)',
        unit: 'events/s',
        value: round(written / loadCpuSeconds),
      },
      { name: 'fixture: events', unit: 'events', value: written },
      { name: 'fixture: identifier rows', unit: 'rows', value: writer.identifierRows },
      { name: 'fixture: database size', unit: 'MiB', value: round(megabytes) },
    );

    // The CBV 2.0 event hash capture computes for every event, on a sample of the same events.
    const hashSample = [...new SupplyChainGenerator({ events: 2000, seed: 99 }).events()];
    const hashStart = performance.now();
    for (const e of hashSample) eventHashOfEvent(e.event);
    figures.push({
      name: 'CBV 2.0 event hash (capture computes it)',
      unit: 'µs/event',
      value: round(((performance.now() - hashStart) * 1000) / hashSample.length),
    });

    // Traces, through the app's own database layer (Kysely over better-sqlite3, synchronous=FULL).
    const database = await openDb({ dataDir: dir });
    const db = database.db;
    const naiveSource = (): EventSource => ({
      eventsNaming: async (ids) => {
        const found = new Map<number, TraceEvent>();
        for (const id of ids)
          for (const row of await documentsNaming(db, id, all)) {
            const doc = JSON.parse(row.document) as EpcisEventDocument;
            found.set(row.seq, {
              seq: row.seq,
              time: utcEventTime(doc) ?? '',
              type: String(doc.type),
              action: typeof doc.action === 'string' ? doc.action : null,
              ids: identifierRowsOf(doc),
            });
          }
        return [...found.values()];
      },
    });
    const chosen = sample(generator.lots, lots).map(normaliseIdentifier);
    for (const id of chosen.slice(0, 5)) await lotTracer({ db, direction: 'back', identifier: id, visibility: all });

    for (const direction of ['back', 'forward'] as Direction[]) {
      const fast: number[] = [];
      const naive: number[] = [];
      const sizes: number[] = [];
      const identifiers: number[] = [];
      for (const identifier of chosen) {
        let t = performance.now();
        const trace = await lotTracer({ db, direction, identifier, visibility: all });
        fast.push(performance.now() - t);
        t = performance.now();
        const walk = await traceWalker({ direction, start: identifier, source: naiveSource() });
        naive.push(performance.now() - t);
        const a = trace.events.map((e) => e.seq).join(',');
        const b = walk.events.map((e) => e.seq).join(',');
        if (a !== b) throw new Error(`${direction} ${identifier}: batched and naive traces differ`);
        sizes.push(trace.events.length);
        identifiers.push(walk.reached.size);
      }
      const name = direction === 'back' ? 'traceback' : 'trace-forward';
      log(
        `${name}: ${chosen.length} lots, events per trace p50 ${percentile(sizes, 50)} / max ${Math.max(...sizes)}, identifiers (naive queries) p50 ${percentile(identifiers, 50)} / max ${Math.max(...identifiers)}`,
      );
      figures.push(
        {
          name: `${name} p50 (naive: one query per identifier)`,
          unit: 'ms',
          value: round(percentile(fast, 50), 2),
          baseline: round(percentile(naive, 50), 2),
        },
        {
          name: `${name} p95 (naive: one query per identifier)`,
          unit: 'ms',
          value: round(percentile(fast, 95), 2),
          baseline: round(percentile(naive, 95), 2),
          target: '≤ 100',
        },
        { name: `${name}: events per trace, p50`, unit: 'events', value: percentile(sizes, 50) },
      );
    }
    await database.close();
  } finally {
    if (args.includes('--keep')) log(`database kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
