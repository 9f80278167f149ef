import path from 'node:path';
import { z } from 'zod';
import { outboundPolicy } from './kernel/http/outbound.ts';

/**
 * Every setting civictwin reads from the environment, validated once at boot. This is the only
 * module that reads `process.env`; everything else receives a `Config`.
 */
const envSchema = z.object({
  /** HTTP port of the server (`civictwin serve` / `demo`). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface the server binds to. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Folder for the embedded database and uploaded files (`:memory:`: a throw-away database, for tests). */
  DATA_DIR: z.string().min(1).default('./data'),
  /** `postgres://…` to use PostgreSQL instead of the embedded SQLite database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  /** PostgreSQL schema to use (tests give each run its own). */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'DATABASE_SCHEMA must be a plain lower-case identifier')
    .optional(),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Password of every demo account (demo mode only); random when unset. */
  CIVICTWIN_DEMO_PASSWORD: z.string().min(8, 'CIVICTWIN_DEMO_PASSWORD needs 8 characters or more').optional(),
  /** Lifetime of a browser session, in hours. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  /** Mark the session cookie `Secure` (set it behind HTTPS). */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Login attempts allowed per client address and minute. */
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  /** Largest accepted request body, in bytes. */
  BODY_LIMIT: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /**
   * Port of the embedded MQTT broker (one-machine mode; 0: any free port); unused when MQTT_URL is
   * set. Unset: 1883, and a start goes on without MQTT (with a warning) if another broker holds it.
   */
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** `mqtt://…` of an external broker to read devices from (shared subscription) instead of the embedded one. */
  MQTT_URL: z
    .string()
    .regex(/^mqtts?:\/\//, 'MQTT_URL must start with mqtt:// or mqtts://')
    .optional(),
  /** Shared-subscription group on the external broker: nodes of one group split the devices' messages. */
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, dash, underscore')
    .default('civictwin'),
  /** Client id of this node on the external broker (its persistent session); default civictwin-<hostname>. */
  MQTT_CLIENT_ID: z.string().min(1).max(128).optional(),
  /**
   * `nats://…` of the NATS server that tells every node what committed (WebSocket push across
   * several nodes). Unset: one node, in-process.
   */
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\//, 'NATS_URL must start with nats:// or tls://')
    .optional(),
  /** Subject prefix on NATS: nodes of one deployment share it; two deployments on one server must not. */
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
      'NATS subject tokens: letters, digits, dash, underscore, dots between',
    )
    .default('civictwin'),
  /** Longest a device message waits for others to share its commit (group commit), in milliseconds. */
  SIGNAL_BATCH_MS: z.coerce.number().int().min(0).max(1000).default(2),
  /** Most signals in one commit. */
  SIGNAL_BATCH_MAX: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** Largest device message (HTTP body or MQTT payload) in bytes: 413 above (MQTT: dropped). */
  SIGNAL_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /** Minutes of silence after which an online device is marked offline. */
  DEVICE_OFFLINE_MINUTES: z.coerce.number().positive().default(10),
  /** How often the signals' timed task (offline devices, absence rules) runs, in seconds. */
  SIGNALS_TICK_SECONDS: z.coerce.number().positive().default(30),
  /** MapLibre style URL of a basemap drawn under the twin's layers (Tianditu, OSM …); unset: a plain background, nothing fetched from outside. */
  BASEMAP_STYLE_URL: z.url({ protocol: /^https?$/, error: 'BASEMAP_STYLE_URL must be an http(s) URL' }).optional(),
  /**
   * Hosts, addresses and CIDR ranges that webhooks may reach although they are local, private or
   * reserved (comma-separated, e.g. `10.20.0.0/16,hotline.district.local`). Unset: public addresses only.
   */
  WEBHOOK_ALLOW: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((entries) => {
      try {
        outboundPolicy(entries);
        return true;
      } catch {
        return false;
      }
    }, 'WEBHOOK_ALLOW: host names, addresses or CIDR ranges (address/prefix), comma-separated')
    .default([]),
  /** Build the web app (`web/dist`) when the server starts and finds it missing or older than `web/src`. */
  WEB_AUTOBUILD: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** The validated configuration civictwin runs with. */
export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databaseSchema: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  demoPassword: string | undefined;
  sessionTtlMs: number;
  cookieSecure: boolean;
  loginRateLimit: number;
  bodyLimit: number;
  /** undefined: the default 1883, given up with a warning when taken. */
  mqttPort: number | undefined;
  mqttUrl: string | undefined;
  mqttShareGroup: string;
  mqttClientId: string | undefined;
  natsUrl: string | undefined;
  natsSubjectPrefix: string;
  signalBatchMs: number;
  signalBatchMax: number;
  signalMaxBytes: number;
  deviceOfflineMinutes: number;
  signalsTickSeconds: number;
  basemapStyleUrl: string | undefined;
  /** `WEBHOOK_ALLOW`: what webhooks may reach beyond public addresses. */
  webhookAllow: string[];
  webAutoBuild: boolean;
};

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; throws `ConfigError` naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR === ':memory:' ? e.DATA_DIR : path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    logLevel: e.LOG_LEVEL,
    demoPassword: e.CIVICTWIN_DEMO_PASSWORD,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    cookieSecure: e.COOKIE_SECURE,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    bodyLimit: e.BODY_LIMIT,
    mqttPort: e.MQTT_PORT,
    mqttUrl: e.MQTT_URL,
    mqttShareGroup: e.MQTT_SHARE_GROUP,
    mqttClientId: e.MQTT_CLIENT_ID,
    natsUrl: e.NATS_URL,
    natsSubjectPrefix: e.NATS_SUBJECT_PREFIX,
    signalBatchMs: e.SIGNAL_BATCH_MS,
    signalBatchMax: e.SIGNAL_BATCH_MAX,
    signalMaxBytes: e.SIGNAL_MAX_BYTES,
    deviceOfflineMinutes: e.DEVICE_OFFLINE_MINUTES,
    signalsTickSeconds: e.SIGNALS_TICK_SECONDS,
    basemapStyleUrl: e.BASEMAP_STYLE_URL,
    webhookAllow: e.WEBHOOK_ALLOW,
    webAutoBuild: e.WEB_AUTOBUILD,
  };
}

/** The variables documented in the README, for `--help`. */
export const configVariables = Object.keys(envSchema.shape);
