import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Clock } from './kernel/clock.ts';
import type { Engine } from './kernel/db/connection.ts';
import type { Database } from './kernel/db/tables.ts';
import type { EventProcessorRunner } from './kernel/events/processors.ts';
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
};
