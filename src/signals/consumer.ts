import { type Kysely, sql } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import { inTransaction, type Unit } from '../kernel/db/unit-of-work.ts';
import { positionOf, savePosition } from '../kernel/events/outbox.ts';
import { type DeviceContext, devicesById } from '../twin/device-state.ts';
import { claimPosition, headSeq, type SignalLogRow, signalsAfter } from './store.ts';

/** A slice of the signal log in seq order, with the devices that sent it (removed devices are absent). */
export type SignalBatch = { rows: readonly SignalLogRow[]; devices: Map<string, DeviceContext> };

/**
 * Something that turns signals into state: device traffic, rule evaluation. A handler may update
 * the device contexts it is given to match what it wrote (they are the consumer's cache).
 */
export type SignalHandler = { name: string; handle(unit: Unit, batch: SignalBatch): Promise<void> };

/** Progress of the consumer, for stats and tests. */
export type ConsumerStats = { batches: number; inline: number; signals: number; position: number; failures: number };

/** Device contexts are re-read from the database when older than this (clock time). */
const deviceTtlMs = 60_000;

/**
 * Reads the signal log after its position and runs the handlers over each batch in one
 * transaction that also records the new position (in `processor_positions`): after a crash it
 * resumes exactly where it stopped — no signal lost, none evaluated twice. Claiming the position
 * row first (a row lock on PostgreSQL) keeps two nodes from handling the same batch.
 *
 * When it is caught up, the writer hands it each new batch inside the ingest transaction
 * (`handleInline`): same handlers, same position bookkeeping, minus reading the rows back and a
 * second commit. A failure there rolls back to a savepoint and leaves the batch to `drain`, so a
 * defect in evaluation never blocks ingestion.
 */
export class SignalLogConsumer {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly devices = new Map<string, { device: DeviceContext; loadedAt: number }>();
  readonly stats: ConsumerStats = { batches: 0, inline: 0, signals: 0, position: 0, failures: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly handlers: readonly SignalHandler[],
    private readonly onError: (err: unknown) => void,
    private readonly options: { name: string; batchSize: number } = { name: 'signals', batchSize: 2000 },
  ) {}

  /** Handles everything in the log; resolves when caught up. */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.drainAll();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Schedules a drain (after an ingest commit it could not handle inline); errors are reported, not thrown. */
  wake = (): void => {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    setImmediate(() => {
      this.drain().catch(this.onError);
    });
  };

  /** Stops waking; waits for a running batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  /** Forgets cached device contexts (after the devices table changed outside the handlers, or a rollback). */
  forgetDevices(): void {
    this.devices.clear();
  }

  /**
   * Handles a batch the writer just appended (`first`…`last` are the seqs it reserved), in the
   * writer's transaction, if the consumer is caught up to `first - 1`. Returns false (and leaves
   * the batch to `drain`) when it is not, when the log is being drained, or when a handler failed.
   */
  async handleInline(unit: Unit, rows: readonly SignalLogRow[], first: number, last: number): Promise<boolean> {
    if (this.stopped || this.running) return false;
    const name = this.options.name;
    if ((await claimPosition(unit.tx, name, unit.clock.now().toISOString())) !== first - 1) return false;
    await sql`savepoint signal_consumer`.execute(unit.tx);
    try {
      await this.run(unit, rows);
      await savePosition(unit.tx, name, last, unit.clock.now().toISOString());
      await sql`release savepoint signal_consumer`.execute(unit.tx);
    } catch (err) {
      await sql`rollback to savepoint signal_consumer`.execute(unit.tx);
      this.forgetDevices();
      this.stats.failures += 1;
      this.onError(err);
      return false;
    }
    unit.afterCommit(() => {
      this.stats.inline += 1;
      this.stats.signals += rows.length;
      this.stats.position = last;
    });
    return true;
  }

  private async run(unit: Unit, rows: readonly SignalLogRow[]): Promise<void> {
    const devices = await this.devicesFor(unit, [...new Set(rows.map((r) => r.device_id))]);
    for (const h of this.handlers) await h.handle(unit, { rows, devices });
  }

  private async devicesFor(unit: Unit, ids: readonly string[]): Promise<Map<string, DeviceContext>> {
    const now = unit.clock.now().getTime();
    const out = new Map<string, DeviceContext>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.devices.get(id);
      if (cached && now - cached.loadedAt < deviceTtlMs) out.set(id, cached.device);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const device of await devicesById(unit.tx, missing)) {
        this.devices.set(device.id, { device, loadedAt: now });
        out.set(device.id, device);
      }
    }
    return out;
  }

  private async drainAll(): Promise<void> {
    const name = this.options.name;
    for (;;) {
      if (this.stopped) return;
      const after = await positionOf(this.db, name);
      // The head first: every append that reserved seqs up to it has committed, so reading up to
      // it misses nothing, and the position may move over the gaps repeats leave.
      const head = await headSeq(this.db);
      const rows = (await signalsAfter(this.db, after, this.options.batchSize)).filter((r) => r.seq <= head);
      this.stats.position = after;
      const last = rows.length < this.options.batchSize ? head : (rows[rows.length - 1]?.seq ?? head);
      if (last <= after) return;
      try {
        const handled = await inTransaction(this.db, this.clock, 'system', async (unit) => {
          // Another node may have handled this batch meanwhile: then leave it.
          if ((await claimPosition(unit.tx, name, unit.clock.now().toISOString())) !== after) return false;
          await this.run(unit, rows);
          await savePosition(unit.tx, name, last, unit.clock.now().toISOString());
          return true;
        });
        if (handled) {
          this.stats.batches += 1;
          this.stats.signals += rows.length;
          this.stats.position = last;
        }
      } catch (err) {
        this.forgetDevices();
        this.stats.failures += 1;
        this.onError(err);
        return;
      }
    }
  }
}
