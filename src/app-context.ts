import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { EventBus } from './kernel/bus.ts';
import type { Clock } from './kernel/clock.ts';
import type { Engine } from './kernel/db/connection.ts';
import type { Database } from './kernel/db/tables.ts';
import type { EventProcessorRunner } from './kernel/events/processors.ts';
import type { OutboundPolicy } from './kernel/http/outbound.ts';
import type { LiveHub } from './notify/live-hub.ts';
import type { TimedTasks } from './notify/timed-tasks.ts';
import type { SignalPipeline } from './signals/runtime.ts';
import type { TwinIndex } from './twin/twin-index.ts';

/** What the modules of a running civictwin share: passed in, never imported as globals. */
export type AppContext = {
  config: Config;
  db: Kysely<Database>;
  engine: Engine;
  clock: Clock;
  log: FastifyBaseLogger;
  twin: TwinIndex;
  /** Runs the event processors over the outbox; `wake` after a commit that emitted events. */
  events: EventProcessorRunner;
  /** Demo mode: devices get `demo-<code>` tokens. */
  demo: boolean;
  /** Demo mode's simulation: devices report on their own and simulated workers handle cases (`--no-simulator` turns it off). */
  simulate: boolean;
  /** Device signals → log → rules and device state; MQTT. `signals.tick()` runs its timed task. */
  signals: SignalPipeline;
  /** Timed tasks (case escalation, webhook retries) on the injectable clock; `tasks.tick()` runs them once. */
  tasks: TimedTasks;
  /** This node's WebSocket connections (`/api/live`), fed through the bus by the `notify.live` event processor. */
  live: LiveHub;
  /** Where webhooks may go (`WEBHOOK_ALLOW`), and the one way they are sent. */
  outbound: OutboundPolicy;
  /** Committed events told to every node: in-process, or NATS when `NATS_URL` is set. */
  bus: EventBus;
};
