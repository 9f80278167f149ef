import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Clock } from '../kernel/clock.ts';
import { retryOnConflict } from '../kernel/db/retry.ts';
import type { Database } from '../kernel/db/tables.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import type { OutboxListener } from '../kernel/events/outbox.ts';
import { defaultRulesSeeder } from '../rules/default-pack.ts';
import { RuleEvaluator } from '../rules/evaluator.ts';
import { silentDeviceMarker } from '../twin/device-state.ts';
import type { TwinIndex } from '../twin/twin-index.ts';
import { SignalLogConsumer } from './consumer.ts';
import type { MqttEndpoint } from './mqtt-broker.ts';
import { SignalIngest } from './service.ts';
import type { SignalLogTarget } from './store.ts';
import { deviceTrafficHandler } from './traffic.ts';
import { SignalWriter } from './writer.ts';

/** The settings the signal pipeline reads (see src/config.ts). */
export type SignalsConfig = Pick<
  Config,
  | 'host'
  | 'mqttPort'
  | 'mqttUrl'
  | 'mqttShareGroup'
  | 'mqttClientId'
  | 'signalBatchMs'
  | 'signalBatchMax'
  | 'signalMaxBytes'
  | 'deviceOfflineMinutes'
  | 'signalsTickSeconds'
>;

/** The embedded broker's port when MQTT_PORT is unset (MQTT's registered port). */
const defaultMqttPort = 1883;

/** Last-seen times move in steps of this much (a status change is written at once). */
const lastSeenStepMs = 30_000;

/**
 * Device signal → durable log → rules and device state, wired together: the group-commit writer,
 * the log's consumer (device traffic, then rule evaluation), the timed task (silence: offline
 * devices and absence rules), and the MQTT side (embedded broker or shared subscription).
 * Created with the runtime (no sockets, no timers); `start` opens MQTT and the timer, `stop` closes
 * them after writing what waits.
 */
export class SignalPipeline {
  readonly writer: SignalWriter;
  readonly consumer: SignalLogConsumer;
  readonly rules: RuleEvaluator;
  readonly ingest: SignalIngest;
  /** Port of the embedded broker once started. */
  mqttPort: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private mqtt: { close(): Promise<void> } | undefined;

  private constructor(
    private readonly db: Kysely<Database>,
    readonly logTarget: SignalLogTarget,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly config: SignalsConfig,
    private readonly wakeEvents: OutboxListener,
    twin: TwinIndex,
  ) {
    const onError = (err: unknown, context: Record<string, unknown> = {}) =>
      log.error({ err, ...context }, 'signal consumer failed');
    this.rules = new RuleEvaluator((lng, lat) => twin.locate(lng, lat).gridId, wakeEvents, onError);
    this.consumer = new SignalLogConsumer(
      db,
      clock,
      [deviceTrafficHandler(wakeEvents, lastSeenStepMs), this.rules.handler],
      (err) => onError(err),
      { name: 'signals', batchSize: 5000 },
    );
    this.writer = new SignalWriter(
      db,
      logTarget,
      clock,
      { maxDelayMs: config.signalBatchMs, maxItems: config.signalBatchMax },
      {
        onCommit: this.consumer.wake,
        inline: (unit, rows, first, last) => this.consumer.handleInline(unit, rows, first, last),
        onRollback: () => this.consumer.forgetDevices(),
      },
    );
    this.ingest = new SignalIngest(db, clock, this.writer, log, config.signalMaxBytes);
  }

  /** Builds the pipeline and seeds the default rule pack (once). */
  static async create(deps: {
    db: Kysely<Database>;
    /** Where the signal log is appended (`signalLogTarget` of the opened database). */
    logTarget: SignalLogTarget;
    clock: Clock;
    log: FastifyBaseLogger;
    config: SignalsConfig;
    wakeEvents: OutboxListener;
    twin: TwinIndex;
  }): Promise<SignalPipeline> {
    const seeded = await inTransaction(deps.db, deps.clock, 'system', defaultRulesSeeder);
    if (seeded > 0) deps.log.info({ rules: seeded }, 'default rule pack seeded');
    return new SignalPipeline(deps.db, deps.logTarget, deps.clock, deps.log, deps.config, deps.wakeEvents, deps.twin);
  }

  /**
   * The timed task: marks devices silent for `DEVICE_OFFLINE_MINUTES` offline and raises the
   * absence rules' alarms. Runs every `SIGNALS_TICK_SECONDS`; tests call it after moving the clock.
   */
  async tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    // It takes the outbox's and the audit log's head rows like every writer does: on PostgreSQL it can
    // be the side of a deadlock that is rolled back, and then simply runs again.
    this.ticking = retryOnConflict(() =>
      inTransaction(this.db, this.clock, 'system', async (unit) => {
        const cutoff = new Date(
          unit.clock.now().getTime() - this.config.deviceOfflineMinutes * 60_000 - lastSeenStepMs,
        );
        await silentDeviceMarker(unit, cutoff, this.wakeEvents);
        await this.rules.absenceTick(unit);
      }),
    ).finally(() => {
      // Devices marked offline: the consumer must see their status afresh.
      this.consumer.forgetDevices();
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Catches up on the log, starts the timer and, unless `mqtt` is false, the MQTT side. */
  async start(options: { mqtt: boolean }): Promise<void> {
    this.consumer.wake();
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.log.error({ err }, 'signal timer failed'));
    }, this.config.signalsTickSeconds * 1000);
    this.timer.unref();
    if (!options.mqtt) return;
    // Loaded only when serving: the CLI's other commands start faster without MQTT's modules.
    if (this.config.mqttUrl) {
      const { startSharedSubscriber } = await import('./mqtt-subscriber.ts');
      const sub = await startSharedSubscriber({
        url: this.config.mqttUrl,
        group: this.config.mqttShareGroup,
        clientId: this.config.mqttClientId ?? `civictwin-${os.hostname()}`,
        ingest: this.ingest,
        clock: this.clock,
        log: this.log,
      });
      this.mqtt = sub;
      this.log.info(
        { broker: this.config.mqttUrl.replace(/\/\/[^@/]*@/, '//***@') },
        'reading device MQTT from the broker',
      );
      return;
    }
    const { startEmbeddedBroker } = await import('./mqtt-broker.ts');
    const port = this.config.mqttPort ?? defaultMqttPort;
    let broker: MqttEndpoint;
    try {
      broker = await startEmbeddedBroker({ ingest: this.ingest, log: this.log, host: this.config.host, port });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      const advice = `MQTT port ${port} is in use (another broker?): set MQTT_PORT, or MQTT_URL to read from that broker, or start with --no-mqtt`;
      // A port asked for must be had; the default one may be taken by the machine's own broker.
      if (this.config.mqttPort !== undefined) throw new Error(advice);
      this.log.warn(`${advice}; going on without MQTT`);
      return;
    }
    this.mqtt = broker;
    this.mqttPort = broker.port;
    this.log.info({ port: broker.port }, 'embedded MQTT broker listening');
  }

  /** Stops MQTT and the timer, writes what waits, and lets the consumer finish its batch. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.mqtt?.close();
    this.mqtt = undefined;
    await this.writer.close();
    await this.ticking?.catch(() => undefined);
    await this.consumer.stop();
  }
}
