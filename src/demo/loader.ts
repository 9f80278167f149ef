import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app-context.ts';
import type { Role } from '../kernel/auth/roles.ts';
import { randomPassword, verifyPassword } from '../kernel/auth/secrets.ts';
import { passwordSetter, userCreator } from '../kernel/auth/service.ts';
import { findUserByUsername, updateUser } from '../kernel/auth/store.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { getSetting, putSetting } from '../kernel/settings.ts';
import { deviceCreator } from '../twin/devices.ts';
import { placesImporter } from '../twin/geojson.ts';
import { regridUnder } from '../twin/places.ts';
import * as twinStore from '../twin/store.ts';
import { generateDemoDistrict } from './district.ts';
import type { DemoPlan, DemoUser } from './plan.ts';

const seededKey = 'demo.seeded';
const unscoped = { placeId: null, path: null, gridId: null };

/** One account per role, for trying each screen; scoped to the model community where that fits. */
function roleAccounts(plan: DemoPlan): DemoUser[] {
  const district = plan.places.find((p) => p.kind === 'district')?.code ?? null;
  const model = plan.places.find((p) => p.kind === 'community' && p.name === '杉板桥社区')?.code ?? district;
  const firstGrid = plan.grids.find((g) => g.communityCode === model);
  const account = (
    role: Role,
    displayName: string,
    scopeCode: string | null,
    gridCode: string | null = null,
  ): DemoUser => ({
    username: role,
    displayName,
    role,
    phone: '',
    scopeCode,
    gridCode,
  });
  return [
    account('admin', '系统管理员', null),
    account('leader', '区领导（演示）', district),
    account('dispatcher', '区指挥中心调度员（演示）', district),
    account('worker', '网格员（演示）', model, firstGrid?.code ?? null),
    account('handler', '环卫处置人员（演示）', district),
    account('resident', '居民（演示）', model),
    account('regulator', '市场监管人员（演示）', district),
    account('enterprise', '食品企业（演示）', district),
    account('organisation', '社会组织（演示）', model),
  ];
}

/**
 * Loads the demo district into an empty database, in one transaction (audited as `demo`).
 * Returns false when it was loaded before: a second start reuses the data.
 */
export async function demoDistrictLoader(
  ctx: AppContext,
  password: string,
  plan = generateDemoDistrict(),
): Promise<boolean> {
  if (await getSetting(ctx.db, seededKey)) return false;
  const users = [...plan.users, ...roleAccounts(plan)];
  await inTransaction(ctx.db, ctx.clock, 'demo', async (unit) => {
    const load = (features: { geometry: unknown; properties: Record<string, unknown> }[]) =>
      placesImporter(
        unit,
        ctx.twin,
        { type: 'FeatureCollection', features: features.map((f) => ({ type: 'Feature', ...f })) },
        unscoped,
      );
    await load(
      plan.places.map((p) => ({
        geometry: p.geometry ?? { type: 'Point', coordinates: p.point },
        properties: { ...p.attributes, kind: p.kind, code: p.code, name: p.name, parentCode: p.parentCode },
      })),
    );
    const placeIds = new Map(
      (
        await twinStore.findPlacesByCode(
          unit.tx,
          plan.places.map((p) => p.code),
        )
      ).map((p) => [p.code, p.id]),
    );
    for (const u of users) {
      await userCreator(unit, {
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        password,
        ...(u.phone ? { phone: u.phone } : {}),
        scopePlaceId: u.scopeCode ? (placeIds.get(u.scopeCode) ?? null) : null,
      });
    }
    await load(
      plan.grids.map((g) => ({
        geometry: g.geometry,
        properties: {
          kind: 'grid',
          code: g.code,
          name: g.name,
          parentCode: g.communityCode,
          workerUsername: g.workerUsername,
          headUsername: g.headUsername,
        },
      })),
    );
    const gridIds = new Map(
      (
        await twinStore.findGridsByCode(
          unit.tx,
          plan.grids.map((g) => g.code),
        )
      ).map((g) => [g.code, g.id]),
    );
    for (const u of users.filter((x) => x.gridCode)) {
      const user = await findUserByUsername(unit.tx, u.username);
      if (user) await updateUser(unit.tx, user.id, { scope_grid_id: gridIds.get(u.gridCode ?? '') ?? null });
    }
    await deviceCreator(
      unit,
      ctx.twin,
      plan.devices.map((d) => ({
        code: d.code,
        name: d.name,
        kind: d.kind,
        placeId: placeIds.get(d.placeCode) ?? '',
        location: d.point,
        attributes: d.attributes,
      })),
      true,
    );
    await regridUnder(unit.tx, '/');
    const counts = { places: plan.places.length, grids: plan.grids.length, devices: plan.devices.length };
    await putSetting(unit.tx, seededKey, JSON.stringify(counts), unit.clock.now().toISOString());
  });
  await ctx.twin.load(ctx.db);
  return true;
}

/**
 * The demo accounts' password: `CIVICTWIN_DEMO_PASSWORD`, else the one kept in
 * `DATA_DIR/demo-password.txt` (mode 600), else a new random one written there.
 */
export function demoPassword(ctx: AppContext): string {
  if (ctx.config.demoPassword) return ctx.config.demoPassword;
  const file = path.join(ctx.config.dataDir, 'demo-password.txt');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomPassword();
  fs.mkdirSync(ctx.config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Makes every demo account's password `password` (after `CIVICTWIN_DEMO_PASSWORD` changed). */
export async function demoPasswordSyncer(
  ctx: AppContext,
  password: string,
  plan = generateDemoDistrict(),
): Promise<void> {
  const admin = await findUserByUsername(ctx.db, 'admin');
  if (!admin?.password_hash || (await verifyPassword(password, admin.password_hash))) return;
  await inTransaction(ctx.db, ctx.clock, 'demo', async (unit) => {
    for (const u of [...plan.users, ...roleAccounts(plan)]) {
      const user = await findUserByUsername(unit.tx, u.username);
      if (user) await passwordSetter(unit, user.id, password);
    }
  });
}

/** The demo accounts, for the start-up banner. */
export function demoAccounts(plan = generateDemoDistrict()): DemoUser[] {
  return roleAccounts(plan);
}
