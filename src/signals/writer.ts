import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import { inTransaction, type Unit } from '../kernel/db/unit-of-work.ts';
import { Problem } from '../kernel/problems.ts';
import type { SignalRecord } from './parse.ts';
import type { IngestResult } from './schema.ts';
import { appendSignals, type SignalLogRow, type SignalLogTarget } from './store.ts';

/** How the writer groups commits. */
export type WriterOptions = {
  /** How long the first waiting item may wait for others to join its transaction (0: the next turn of the event loop). */
  maxDelayMs: number;
  /** Start a transaction at once when this many items wait. */
  maxItems: number;
};

type Submission = {
  records: readonly SignalRecord[];
  resolve: (r: IngestResult) => void;
  reject: (err: unknown) => void;
};

/** Running totals, for `/api/signals/stats` and the bench. */
export type WriterStats = { commits: number; stored: number; duplicates: number; failed: number };

/**
 * Group commit for the signal log. Every source (HTTP requests, MQTT messages, batches) submits
 * its records and waits; the writer collects what arrives within `maxDelayMs` (or until
 * `maxItems`), appends it in one transaction, and only after the commit resolves each
 * submission — so an answer to a device (HTTP 2xx, PUBACK) always means "durable". While one
 * transaction commits, the next group gathers. A submission is all or nothing: its records share
 * one transaction, and a failed transaction rejects every submission in it. The log's consumer may
 * handle the batch inside the same transaction (`inline`), saving a read-back and a commit.
 */
export class SignalWriter {
  private pending: Submission[] = [];
  private pendingItems = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private holds = 0;
  private closed = false;
  readonly stats: WriterStats = { commits: 0, stored: 0, duplicates: 0, failed: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly target: SignalLogTarget,
    private readonly clock: Clock,
    private readonly options: WriterOptions,
    private readonly hooks: {
      /** Called after each commit whose batch the consumer did not handle inline (wakes it). */
      onCommit: () => void;
      /** The log's consumer, offered each batch inside the ingest transaction; true when it handled it. */
      inline?: (unit: Unit, rows: SignalLogRow[], first: number, last: number) => Promise<boolean>;
      /** Called when a transaction failed (the consumer drops what it cached during it). */
      onRollback?: () => void;
    },
  ) {}

  /** Appends records durably; resolves once they are committed (or were already stored). */
  submit(records: readonly SignalRecord[]): Promise<IngestResult> {
    if (this.closed) return Promise.reject(unavailable('the signal writer is shutting down'));
    if (records.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      this.pendingItems += records.length;
      this.schedule();
    });
  }

  /** Items submitted and not yet committed. */
  get waiting(): number {
    return this.pendingItems;
  }

  /**
   * Holds every commit until the returned function is called: a test seam to observe that nothing
   * is acknowledged before its commit.
   */
  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.schedule();
    };
  }

  /** Writes whatever waits, and resolves when the writer is idle. */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.flushing || (this.pending.length > 0 && this.holds === 0)) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
  }

  /** Refuses new submissions and writes those waiting. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.flushing || this.holds > 0 || this.pending.length === 0) return;
    if (this.pendingItems >= this.options.maxItems) {
      this.clearTimer();
      this.startFlush();
      return;
    }
    if (this.timer) return;
    const go = () => {
      this.timer = undefined;
      if (!this.flushing && this.holds === 0) this.startFlush();
    };
    this.timer = this.options.maxDelayMs > 0 ? setTimeout(go, this.options.maxDelayMs) : setImmediate(go);
  }

  private clearTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private startFlush(): void {
    // Whole submissions only, up to about maxItems: a submission never straddles two transactions.
    const group: Submission[] = [];
    let items = 0;
    while (
      this.pending.length > 0 &&
      (group.length === 0 || items + (this.pending[0]?.records.length ?? 0) <= this.options.maxItems)
    ) {
      const s = this.pending.shift() as Submission;
      group.push(s);
      items += s.records.length;
    }
    this.pendingItems -= items;
    this.flushing = this.commit(group).finally(() => {
      this.flushing = undefined;
      this.schedule();
    });
  }

  private async commit(group: Submission[]): Promise<void> {
    // The first submission to carry a key owns it; later ones in the same group are repeats.
    const owner = new Map<string, Submission>();
    const records: SignalRecord[] = [];
    for (const s of group) {
      for (const r of s.records) {
        if (owner.has(r.idemKey)) continue;
        owner.set(r.idemKey, s);
        records.push(r);
      }
    }
    let stored: Set<string>;
    let inlined = false;
    try {
      stored = await inTransaction(this.db, this.clock, 'signals', async (unit) => {
        const appended = await appendSignals(unit.tx, this.target, records);
        if (this.hooks.inline) {
          const rows: SignalLogRow[] = [];
          records.forEach((r, i) => {
            if (!appended.stored.has(r.idemKey)) return;
            rows.push({
              seq: appended.first + i,
              device_id: r.deviceId,
              kind: r.kind,
              ts: r.ts,
              received_at: r.receivedAt,
              payload: r.payload,
              reading: r.reading,
            });
          });
          inlined = await this.hooks.inline(unit, rows, appended.first, appended.last);
        }
        return appended.stored;
      });
    } catch (err) {
      this.hooks.onRollback?.();
      this.stats.failed += group.length;
      const problem = unavailable('the signal log could not be written; nothing was stored, send again');
      (problem as { cause?: unknown }).cause = err;
      for (const s of group) s.reject(problem);
      return;
    }
    this.stats.commits += 1;
    const counts = new Map<Submission, IngestResult>(group.map((s) => [s, { stored: 0, duplicates: 0 }]));
    for (const s of group) {
      const c = counts.get(s) as IngestResult;
      for (const r of s.records) {
        if (owner.get(r.idemKey) === s && stored.has(r.idemKey)) {
          c.stored += 1;
          owner.delete(r.idemKey);
        } else c.duplicates += 1;
      }
      this.stats.stored += c.stored;
      this.stats.duplicates += c.duplicates;
      s.resolve(c);
    }
    if (!inlined) this.hooks.onCommit();
  }
}

function unavailable(detail: string): Problem {
  return new Problem(503, 'unavailable', '暂时无法写入 Temporarily unavailable', detail);
}
