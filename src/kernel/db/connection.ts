import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.ts';

/** Which engine a database runs on; a few statements differ between them. */
export type Engine = 'sqlite' | 'postgres';

/** An open database: the Kysely instance plus what callers need to know about it. */
export type Db = {
  db: Kysely<Database>;
  engine: Engine;
  /** Human-readable location, for logs and `--help`. */
  where: string;
  /** The PostgreSQL schema in use, when one was configured. */
  schema?: string;
  close(): Promise<void>;
};

export type OpenDbOptions = {
  /** `postgres://…`; when absent the embedded SQLite database is used. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to create (if missing) and use. */
  databaseSchema?: string | undefined;
  /** Folder of the SQLite file; `:memory:` for a throw-away database. */
  dataDir: string;
};

// pg hands bigint (count(*), sums) back as strings; every bigint we store fits a double.
pg.types.setTypeParser(20, (v) => Number(v));

/** Opens (and creates, if needed) the configured database. Does not migrate. */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.databaseSchema);
  return openSqlite(options.dataDir);
}

function openSqlite(dataDir: string): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, 'civictwin.sqlite');
  }
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // FULL: a committed (acknowledged) write survives power loss, not only a process crash.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  cachePreparedStatements(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  connections.set(db, database);
  return { db, engine: 'sqlite', where: file, close: () => db.destroy() };
}

const connections = new WeakMap<Kysely<Database>, SQLite.Database>();

/**
 * The embedded database's own handle under a Kysely instance, for the few hot paths that bypass
 * Kysely (signal log appends, EPCIS capture rows; decisions 004 and 005): undefined on PostgreSQL.
 * Statements on it inside a Kysely transaction belong to that transaction (one connection).
 */
export function sqliteOf(db: Kysely<Database>): SQLite.Database | undefined {
  return connections.get(db);
}

/**
 * Kysely prepares every statement anew; on SQLite preparing costs about as much as running a
 * small insert. Keep the compiled statements of the queries the app repeats (the SQL text is the
 * key; parameters stay parameters), except while one is still being iterated.
 */
function cachePreparedStatements(database: SQLite.Database, max = 2000): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, SQLite.Statement>();
  database.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) return cached;
    const statement = prepare(source);
    if (!cached) {
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof database.prepare;
}

async function openPostgres(url: string, schema: string | undefined): Promise<Db> {
  if (schema) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(db);
  const safeUrl = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    db,
    engine: 'postgres',
    where: schema ? `${safeUrl} (schema ${schema})` : safeUrl,
    ...(schema ? { schema } : {}),
    close: () => db.destroy(),
  };
}

/** Drops a PostgreSQL schema (test clean-up). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
