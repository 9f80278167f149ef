import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { retryOnConflict } from '../db/retry.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction, type Unit } from '../db/unit-of-work.ts';
import { claimPosition, type DomainEvent, positionOf, readEvents, savePosition } from './outbox.ts';

/**
 * Background work that reacts to domain events. It declares the event types it handles; its
 * output and its new position commit in one transaction, so after a crash it resumes exactly
 * where it stopped: no event lost, none handled twice.
 */
export type EventProcessor = {
  name: string;
  handles: readonly string[];
  handle(unit: Unit, events: DomainEvent[]): Promise<void>;
};

/**
 * Runs the processors: `drain()` handles every pending event (tests call it to move the system
 * forward deterministically); `wake()` schedules a drain soon (after a commit that emitted events).
 */
export class EventProcessorRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private readonly processors: EventProcessor[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly onError: (err: unknown, processor: string) => void,
    private readonly batchSize = 500,
  ) {}

  register(processor: EventProcessor): void {
    if (this.processors.some((p) => p.name === processor.name))
      throw new Error(`processor ${processor.name} registered twice`);
    this.processors.push(processor);
  }

  /** Handles everything pending, in order, processor by processor; resolves when all are idle. */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (const p of this.processors) await this.drainOne(p);
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Schedules a drain; errors are reported, not thrown. */
  wake = (): void => {
    setImmediate(() => {
      this.drain().catch((err) => this.onError(err, 'runner'));
    });
  };

  private async drainOne(p: EventProcessor): Promise<void> {
    for (;;) {
      const after = await positionOf(this.db, p.name);
      const events = await readEvents(this.db, after, p.handles, this.batchSize);
      if (events.length === 0) return;
      const last = events[events.length - 1]?.seq ?? after;
      try {
        // A deadlock (PostgreSQL) rolls the batch back whole: run it again rather than wait for the next wake.
        await retryOnConflict(() =>
          inTransaction(this.db, this.clock, `processor:${p.name}`, async (unit) => {
            // Claim the batch: locking the position row (PostgreSQL) serialises nodes until commit; if
            // another node moved it meanwhile, leave the batch to that node.
            if ((await claimPosition(unit.tx, p.name)) !== after) return;
            await p.handle(unit, events);
            await savePosition(unit.tx, p.name, last, unit.clock.now().toISOString());
          }),
        );
      } catch (err) {
        this.onError(err, p.name);
        return;
      }
    }
  }
}
