import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { AppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import type { Role } from '../../src/kernel/auth/roles.ts';
import { apiTokenIssuer, userCreator } from '../../src/kernel/auth/service.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { dropPostgresSchema } from '../../src/kernel/db/connection.ts';
import { inTransaction } from '../../src/kernel/db/unit-of-work.ts';
import { type Runtime, startRuntime } from '../../src/server.ts';
import { deviceCreator } from '../../src/twin/devices.ts';
import { gridCreator } from '../../src/twin/grids.ts';
import { placeCreator } from '../../src/twin/places.ts';
import type { PlaceKind } from '../../src/twin/schema.ts';

/** Which engine this run tests: PostgreSQL when DATABASE_URL is set (CI), else embedded SQLite. */
export const engineUnderTest = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

export type Polygon = { type: 'Polygon'; coordinates: [number, number][][] };

/** An axis-aligned rectangle as a closed GeoJSON polygon. */
export function rect(minX: number, minY: number, maxX: number, maxY: number): Polygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minX, minY],
        [maxX, minY],
        [maxX, maxY],
        [minX, maxY],
        [minX, minY],
      ],
    ],
  };
}

export type TestUser = { id: string; username: string; headers: { authorization: string } };

/**
 * A civictwin app on a fresh database (in-memory SQLite, or a new PostgreSQL schema when
 * DATABASE_URL is set), with a manual clock and factories that make their own data.
 */
export class TestApp {
  readonly clock = new ManualClock('2026-11-26T01:00:00.000Z');
  private runtime!: Runtime;
  app!: FastifyInstance;
  private schema: string | undefined;
  private seq = 0;

  get ctx(): AppContext {
    return this.runtime.ctx;
  }

  /**
   * `onDisk`: SQLite in a temporary folder instead of memory, so that `restart()` finds the data
   * again (and a `peer()` can share it). `nats`: the event bus on NATS_URL with this subject prefix.
   * `env`: more settings, as environment variables (e.g. `WEBHOOK_ALLOW` for a receiver on 127.0.0.1).
   */
  static async start(
    options: { demo?: boolean; onDisk?: boolean; nats?: string; env?: Record<string, string> } = {},
  ): Promise<TestApp> {
    const t = new TestApp();
    t.schema = process.env.DATABASE_URL ? `t_${randomUUID().replaceAll('-', '').slice(0, 16)}` : undefined;
    t.dataDir = options.onDisk ? fs.mkdtempSync(path.join(os.tmpdir(), 'civictwin-test-')) : undefined;
    t.demo = options.demo ?? false;
    t.nats = options.nats;
    t.env = options.env ?? {};
    await t.boot();
    return t;
  }

  /** A second node on the same database (and bus): it leaves the data to its first node to remove. */
  async peer(): Promise<TestApp> {
    if (!this.schema && !this.dataDir)
      throw new Error('a peer needs PostgreSQL or onDisk: in-memory SQLite is per connection');
    const p = new TestApp();
    Object.assign(p, {
      clock: this.clock,
      schema: this.schema,
      dataDir: this.dataDir,
      demo: this.demo,
      nats: this.nats,
      env: this.env,
      owner: false,
    });
    await p.boot();
    return p;
  }

  private dataDir: string | undefined;
  private demo = false;
  private nats: string | undefined;
  /** More environment for the configuration (e.g. WEBHOOK_ALLOW). */
  private env: Record<string, string> = {};
  /** False for a peer: the data belongs to the first node. */
  private owner = true;

  private async boot(): Promise<void> {
    const config = loadConfig({
      DATA_DIR: this.dataDir ?? ':memory:',
      LOG_LEVEL: 'silent',
      DATABASE_URL: process.env.DATABASE_URL,
      DATABASE_SCHEMA: this.schema,
      LOGIN_RATE_LIMIT: '5',
      NATS_URL: this.nats ? process.env.NATS_URL : undefined,
      NATS_SUBJECT_PREFIX: this.nats,
      ...this.env,
    });
    this.runtime = await startRuntime(config, { clock: this.clock, demo: this.demo });
    this.app = await buildApp(this.runtime.ctx);
  }

  /** A restart: closes the app and its database, keeping the data, and starts afresh on it (same clock). */
  async restart(): Promise<void> {
    await this.app.close();
    await this.runtime.close();
    await this.boot();
  }

  /** Moves the system forward: handles pending domain events, runs the timed tasks once, handles what they emitted. */
  async tick(): Promise<void> {
    await this.ctx.events.drain();
    await this.ctx.tasks.tick();
    await this.ctx.events.drain();
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.runtime.close();
    if (!this.owner) return;
    if (this.schema && process.env.DATABASE_URL) await dropPostgresSchema(process.env.DATABASE_URL, this.schema);
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  inject(opts: InjectOptions) {
    return this.app.inject(opts);
  }

  /** A unique suffix for codes and names. */
  next(): number {
    this.seq += 1;
    return this.seq;
  }

  private tx<T>(fn: Parameters<typeof inTransaction<T>>[3]): Promise<T> {
    return inTransaction(this.ctx.db, this.ctx.clock, 'test', fn);
  }

  /** A user with an API token (no password unless given). */
  async user(role: Role, scope: { placeId?: string; gridId?: string } = {}, password?: string): Promise<TestUser> {
    const username = `${role}-${this.next()}`;
    return this.tx(async (unit) => {
      const row = await userCreator(unit, {
        username,
        displayName: `测试${role}`,
        role,
        phone: '13812345678',
        scopePlaceId: scope.placeId ?? null,
        scopeGridId: scope.gridId ?? null,
        ...(password ? { password } : {}),
      });
      const token = await apiTokenIssuer(unit, row.id, 'test');
      return { id: row.id, username, headers: { authorization: `Bearer ${token}` } };
    });
  }

  async place(
    kind: PlaceKind,
    parentId: string | null,
    geometry?: Polygon | { type: 'Point'; coordinates: [number, number] },
  ) {
    const n = this.next();
    return this.tx((unit) =>
      placeCreator(unit, this.ctx.twin, {
        code: `${kind}-${n}`,
        kind,
        name: `${kind} ${n}`,
        parentId,
        geometry: geometry ?? null,
      }),
    );
  }

  async grid(communityId: string, geometry: Polygon, workerId?: string) {
    const code = `510108${String(this.next()).padStart(9, '0')}`;
    return this.tx((unit) =>
      gridCreator(unit, this.ctx.twin, {
        code,
        name: `网格${code.slice(-3)}`,
        communityId,
        geometry,
        workerId: workerId ?? null,
      }),
    );
  }

  async device(placeId: string, location: [number, number], kind = 'smoke') {
    const n = this.next();
    const [created] = await this.tx((unit) =>
      deviceCreator(unit, this.ctx.twin, [{ code: `dev-${n}`, name: `设备${n}`, kind, placeId, location }], false),
    );
    if (!created) throw new Error('no device');
    return created;
  }
}

/**
 * A small district to test scope on: district → sub-district → communities A and B; compound
 * A1 in community A inside grid A-1; grid A-2 beside it; compound B1 in community B, grid B-1.
 */
export async function buildWorld(t: TestApp) {
  const district = await t.place('district', null, rect(104.0, 30.6, 104.2, 30.8));
  const street = await t.place('subdistrict', district.id, rect(104.0, 30.6, 104.2, 30.8));
  const communityA = await t.place('community', street.id, rect(104.1, 30.66, 104.12, 30.68));
  const communityB = await t.place('community', street.id, rect(104.13, 30.66, 104.15, 30.68));
  const gridA1 = await t.grid(communityA.id, rect(104.1, 30.66, 104.11, 30.68));
  const gridA2 = await t.grid(communityA.id, rect(104.11, 30.66, 104.12, 30.68));
  const gridB1 = await t.grid(communityB.id, rect(104.13, 30.66, 104.15, 30.68));
  const compoundA1 = await t.place('compound', communityA.id, rect(104.101, 30.661, 104.109, 30.669));
  const compoundA2 = await t.place('compound', communityA.id, rect(104.111, 30.661, 104.119, 30.669));
  const compoundB1 = await t.place('compound', communityB.id, rect(104.131, 30.661, 104.139, 30.669));
  const deviceA1 = await t.device(compoundA1.id, [104.105, 30.665]);
  const deviceA2 = await t.device(compoundA2.id, [104.115, 30.665]);
  const deviceB1 = await t.device(compoundB1.id, [104.135, 30.665]);
  return {
    district,
    street,
    communityA,
    communityB,
    gridA1,
    gridA2,
    gridB1,
    compoundA1,
    compoundA2,
    compoundB1,
    deviceA1,
    deviceA2,
    deviceB1,
  };
}
