import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../cases/calendar.ts';
import { workingCalendar } from '../cases/calendar-years.ts';
import type { Principal } from '../kernel/auth/principal.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import { type DomainEvent, readEvents } from '../kernel/events/outbox.ts';
import { liveEventTypes, liveRoute } from './live-messages.ts';

/** What the hub needs of a WebSocket: send text, close, and know whether it is still open. */
export type LiveSocket = {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
};

const OPEN = 1;

/**
 * One client connection: who it is, which channels it listens to, and the last outbox position it
 * was sent (so replayed and live events are never sent twice, and never out of order).
 */
export class LiveConnection {
  readonly channels = new Set<string>();
  /** Outbox position of the last event considered for this connection. */
  lastSeq = 0;
  /** False while catching up: live events wait in `pending`. */
  ready = false;
  pending: DomainEvent[] = [];

  constructor(
    readonly principal: Principal,
    readonly departmentIds: readonly string[],
    readonly socket: LiveSocket,
  ) {
    this.channels.add(`user:${principal.userId}`);
  }

  /** Sends a control or event message. */
  send(message: unknown): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }
}

/**
 * The WebSocket hub of this node: fans committed outbox events out to the connections whose
 * channels they belong to and whose viewer may see them. It hears them from the event bus, so a
 * change committed on any node reaches the sockets of every node.
 */
export class LiveHub {
  private readonly connections = new Set<LiveConnection>();
  private queue: Promise<void> = Promise.resolve();

  private calendar: { at: number; value: Promise<WorkingCalendar> } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /**
   * The working calendar for the SLA lights, re-read at most once a minute: a push should not wait
   * for a database round trip behind the signal writer, and a newly imported holiday year can wait
   * a minute to colour the lights.
   */
  private workingCalendar(): Promise<WorkingCalendar> {
    const now = this.clock.now().getTime();
    if (!this.calendar || now - this.calendar.at > 60_000 || now < this.calendar.at) {
      const value = workingCalendar(this.db);
      this.calendar = { at: now, value };
      value.catch(() => {
        this.calendar = undefined;
      });
    }
    return this.calendar.value;
  }

  get size(): number {
    return this.connections.size;
  }

  add(conn: LiveConnection): void {
    this.connections.add(conn);
  }

  remove(conn: LiveConnection): void {
    this.connections.delete(conn);
  }

  /**
   * Closes every connection with 1012 (service restart): this node may have missed events (the bus
   * lost its connection), and clients reconnect with `?since=` and catch up from the outbox.
   */
  resync(): void {
    for (const conn of this.connections) conn.socket.close(1012, 'resync: reconnect with since');
    this.connections.clear();
  }

  /** Publishes committed events, in order (publishes are queued, never interleaved). */
  publish(events: readonly DomainEvent[]): Promise<void> {
    const wanted = events.filter((e) => (liveEventTypes as readonly string[]).includes(e.type));
    if (wanted.length === 0 || this.connections.size === 0) return this.queue;
    this.queue = this.queue
      .then(async () => {
        const calendar = await this.workingCalendar();
        for (const conn of this.connections) {
          if (!conn.ready) conn.pending.push(...wanted);
          else for (const e of wanted) this.deliver(conn, e, calendar);
        }
      })
      .catch(this.onError);
    return this.queue;
  }

  /**
   * Replays what a reconnecting client missed since `since` (outbox seq), filtered exactly as live
   * events are, then sends what arrived meanwhile and switches the connection to live.
   */
  async catchUp(conn: LiveConnection, since: number): Promise<number> {
    const calendar = await this.workingCalendar();
    conn.lastSeq = since;
    let replayed = 0;
    for (;;) {
      const batch = await readEvents(this.db, conn.lastSeq, liveEventTypes, 500);
      if (batch.length === 0) break;
      for (const e of batch) replayed += this.deliver(conn, e, calendar) ? 1 : 0;
    }
    await this.goLive(conn, calendar);
    return replayed;
  }

  /** Switches a connection to live without replay. */
  async start(conn: LiveConnection): Promise<void> {
    await this.goLive(conn, await this.workingCalendar());
  }

  private async goLive(conn: LiveConnection, calendar: WorkingCalendar): Promise<void> {
    // Join the publish queue so nothing published before this point is still in flight.
    await this.queue;
    for (const e of conn.pending) this.deliver(conn, e, calendar);
    conn.pending = [];
    conn.ready = true;
    conn.send({ type: 'live', seq: conn.lastSeq });
  }

  /** Sends one event to one connection if it is on its channels and visible to it; true if sent. */
  private deliver(conn: LiveConnection, event: DomainEvent, calendar: WorkingCalendar): boolean {
    if (event.seq <= conn.lastSeq) return false;
    conn.lastSeq = event.seq;
    const route = liveRoute(event);
    if (!route?.channels.some((c) => conn.channels.has(c))) return false;
    if (!route.visibleTo(conn.principal, conn.departmentIds)) return false;
    const message = route.present(conn.principal, calendar);
    if (!message) return false;
    conn.send(message);
    return true;
  }
}
