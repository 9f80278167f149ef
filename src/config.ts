import path from 'node:path';
import { z } from 'zod';

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
  };
}

/** The variables documented in the README, for `--help`. */
export const configVariables = Object.keys(envSchema.shape);
