import type { FastifyBaseLogger } from 'fastify';
import { connect, type NatsConnection } from 'nats';
import type { DomainEvent } from './events/outbox.ts';

/**
 * Committed domain events told to every node. The outbox is the record (durable, in order, in the
 * database); the bus only carries "these just committed" to each node's in-memory consumers (the
 * WebSocket hub). One node: in-process. Several nodes: NATS subjects (`NATS_URL`).
 *
 * Delivery over NATS is at most once. A node that loses the connection cannot know what it missed,
 * so it tells its listeners to resynchronise (`onResync`): the WebSocket hub closes its sockets and
 * clients reconnect with `?since=` and catch up from the outbox.
 */
export interface EventBus {
  readonly kind: 'in-process' | 'nats';
  /** Tells every node (this one too) that these events committed. */
  publish(topic: string, events: readonly DomainEvent[]): void;
  /** Hears a topic's events, from every node. */
  subscribe(topic: string, listener: (events: DomainEvent[]) => void): void;
  /** Hears that events may have been missed (the connection to the other nodes was lost). */
  onResync(listener: () => void): void;
  /** Resolves when the other nodes' server has seen everything this node sent (subscriptions, publishes). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

type Listeners = Map<string, ((events: DomainEvent[]) => void)[]>;

function deliver(listeners: Listeners, topic: string, events: DomainEvent[], onError: (err: unknown) => void): void {
  for (const listener of listeners.get(topic) ?? []) {
    try {
      listener(events);
    } catch (err) {
      onError(err);
    }
  }
}

function addListener(listeners: Listeners, topic: string, listener: (events: DomainEvent[]) => void): boolean {
  const list = listeners.get(topic);
  if (list) list.push(listener);
  else listeners.set(topic, [listener]);
  return !list;
}

/** One node: listeners are called directly. */
export function inProcessBus(onError: (err: unknown) => void = () => {}): EventBus {
  const listeners: Listeners = new Map();
  return {
    kind: 'in-process',
    publish: (topic, events) => deliver(listeners, topic, [...events], onError),
    subscribe: (topic, listener) => void addListener(listeners, topic, listener),
    onResync: () => {},
    flush: async () => {},
    close: async () => {},
  };
}

/**
 * Several nodes: each topic is the NATS subject `<prefix>.<topic>`, events travel as one JSON
 * array per publish. The client reconnects on its own (for ever); subscriptions come back with it.
 */
export async function natsBus(options: {
  url: string;
  prefix: string;
  log: FastifyBaseLogger;
  /** A name for this node in the server's connection list. */
  name?: string;
}): Promise<EventBus> {
  const { log } = options;
  const nc: NatsConnection = await connect({
    servers: options.url,
    name: options.name ?? 'civictwin',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  const listeners: Listeners = new Map();
  const resync: (() => void)[] = [];
  const onError = (err: unknown) => log.error({ err }, 'event bus listener failed');
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        log.warn({ status: status.type, server: status.data }, 'event bus connection changed');
        if (status.type === 'reconnect') for (const fn of resync) fn();
      }
    }
  })().catch(onError);
  return {
    kind: 'nats',
    publish(topic, events) {
      if (events.length === 0) return;
      try {
        nc.publish(`${options.prefix}.${topic}`, JSON.stringify(events));
      } catch (err) {
        // Closed or draining: this node's own listeners still hear it; the others catch up.
        log.error({ err, topic }, 'event bus publish failed');
        deliver(listeners, topic, [...events], onError);
      }
    },
    subscribe(topic, listener) {
      if (!addListener(listeners, topic, listener)) return;
      const subject = `${options.prefix}.${topic}`;
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return onError(err);
          let events: DomainEvent[];
          try {
            events = msg.json<DomainEvent[]>();
          } catch (parseErr) {
            return log.error({ err: parseErr, subject }, 'event bus message is not JSON');
          }
          deliver(listeners, topic, events, onError);
        },
      });
    },
    onResync: (listener) => void resync.push(listener),
    flush: () => nc.flush(),
    async close() {
      if (nc.isClosed()) return;
      await nc.drain();
    },
  };
}
