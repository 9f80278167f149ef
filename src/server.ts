import os from 'node:os';
import pino from 'pino';
import type { AppContext } from './app-context.ts';
import { registerCaseWork } from './cases/module.ts';
import type { Config } from './config.ts';
import { inProcessBus, natsBus } from './kernel/bus.ts';
import { type Clock, systemClock } from './kernel/clock.ts';
import { type Db, openDb } from './kernel/db/connection.ts';
import { migrateToLatest } from './kernel/db/migrate.ts';
import { retryOnForeignSchemaDrop } from './kernel/db/retry.ts';
import { EventProcessorRunner } from './kernel/events/processors.ts';
import { outboundPolicy } from './kernel/http/outbound.ts';
import { rateLimitPruner } from './kernel/http/rate-limits.ts';
import { LiveHub } from './notify/live-hub.ts';
import { registerNotifyWork } from './notify/module.ts';
import { TimedTasks } from './notify/timed-tasks.ts';
import { SignalPipeline } from './signals/runtime.ts';
import { signalLogTarget } from './signals/store.ts';
import { shareTwinIndex } from './twin/index-sync.ts';
import { TwinIndex } from './twin/twin-index.ts';

/** A database opened and migrated, and the context the modules share; `close` ends the bus, then the database. */
export type Runtime = { ctx: AppContext; database: Db; close(): Promise<void> };

/** Opens and migrates the configured database and loads the twin's index. */
export async function startRuntime(
  config: Config,
  options: { demo?: boolean; simulate?: boolean; clock?: Clock } = {},
): Promise<Runtime> {
  const log = pino({ level: config.logLevel });
  const database = await openDb(config);
  const ran = await retryOnForeignSchemaDrop(() => migrateToLatest(database), database.schema);
  if (ran.length > 0) log.info({ migrations: ran }, 'database migrated');
  const twin = new TwinIndex();
  await twin.load(database.db);
  const clock = options.clock ?? systemClock;
  const bus = config.natsUrl
    ? await natsBus({ url: config.natsUrl, prefix: config.natsSubjectPrefix, log, name: `civictwin-${os.hostname()}` })
    : inProcessBus((err) => log.error({ err }, 'event bus listener failed'));
  const events = new EventProcessorRunner(database.db, clock, (err, processor) =>
    log.error({ err, processor }, 'event processor failed'),
  );
  const ctx: AppContext = {
    config,
    db: database.db,
    engine: database.engine,
    clock,
    log,
    twin,
    events,
    demo: options.demo ?? false,
    simulate: options.simulate ?? options.demo ?? false,
    signals: await SignalPipeline.create({
      db: database.db,
      logTarget: signalLogTarget(database),
      clock,
      log,
      config,
      wakeEvents: events.wake,
      twin,
    }),
    tasks: new TimedTasks(clock, (err, task) => log.error({ err, task }, 'timed task failed')),
    live: new LiveHub(database.db, clock, (err) => log.error({ err }, 'live push failed')),
    bus,
    outbound: outboundPolicy(config.webhookAllow),
  };
  shareTwinIndex({
    bus,
    twin,
    db: database.db,
    clock,
    onError: (err) => log.error({ err }, 'twin index reload failed'),
  });
  ctx.tasks.register({ name: 'kernel.rate-limits', everyMs: 3_600_000, run: (now) => rateLimitPruner(ctx.db, now) });
  registerCaseWork(ctx);
  registerNotifyWork(ctx);
  return {
    ctx,
    database,
    async close() {
      await bus.close();
      await database.close();
    },
  };
}

/** Serves the API until SIGINT/SIGTERM, then closes cleanly. */
export async function serve(
  runtime: Runtime,
  options: { mqtt?: boolean } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  // Loaded here, not at the top: the CLI's short commands need the runtime, not the HTTP app.
  const { buildApp } = await import('./app.ts');
  const app = await buildApp(runtime.ctx);
  const { port, host } = runtime.ctx.config;
  await app.listen({ port, host });
  try {
    await runtime.ctx.signals.start({ mqtt: options.mqtt ?? true });
  } catch (err) {
    await runtime.ctx.signals.stop();
    await app.close();
    await runtime.close();
    throw err;
  }
  // Timed tasks (escalation, webhook retries) run on intervals; events left pending by a stop are handled now.
  runtime.ctx.tasks.start();
  runtime.ctx.events.wake();
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const close = async () => {
    await runtime.ctx.tasks.stop();
    await runtime.ctx.signals.stop();
    await app.close();
    await runtime.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      runtime.ctx.log.info({ signal }, 'shutting down');
      void close().then(() => process.exit(0));
    });
  }
  return { url: `http://localhost:${actualPort}`, close };
}
