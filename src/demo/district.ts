import {
  bounds,
  inset,
  int,
  jitterWeights,
  layoutBlocks,
  mulberry32,
  pick,
  type Rect,
  type Rng,
  rectArea,
  rectCentre,
  rectPolygon,
  reserveBlocks,
  shuffle,
  toLngLat,
} from './geometry.ts';
import {
  type CommunitySpec,
  compoundNames,
  type DemoDeviceKind,
  demoSubdistricts,
  deviceCatalogue,
  facilityDevices,
  givenNameCharacters,
  partyCentreSpec,
  shanbanqiaoCompounds,
  stationSpec,
  surnames,
} from './names.ts';
import type { DemoDevice, DemoGrid, DemoPlace, DemoPlan, DemoUser } from './plan.ts';

/** GB/T 2260 administrative code of 成华区, Chengdu: the first 6 digits of every demo code. */
export const demoDistrictCode = '510108';

/** Code of the model community 杉板桥社区 (跳蹬河街道). */
export const modelCommunityCode = '510108003001';

const pad = (n: number, width = 3) => String(n).padStart(width, '0');
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** `total` split in proportion to `weights`, in whole numbers that add up to `total`. */
function apportion(total: number, weights: readonly number[]): number[] {
  const whole = sum(weights);
  const out = weights.map((w) => Math.floor((total * w) / whole));
  out[out.length - 1]! += total - sum(out);
  return out;
}

/** Mutable state shared while one plan is generated. */
type Context = {
  rng: Rng;
  places: Record<DemoPlace['kind'], DemoPlace[]>;
  grids: DemoGrid[];
  devices: DemoDevice[];
  users: DemoUser[];
  displayNames: Set<string>;
  phones: Set<string>;
};

function areaPlace(
  kind: DemoPlace['kind'],
  code: string,
  name: string,
  parentCode: string | null,
  rect: Rect,
  attributes: DemoPlace['attributes'],
): DemoPlace {
  const geometry = rectPolygon(rect);
  return {
    code,
    kind,
    name,
    parentCode,
    geometry,
    point: rectCentre(rect),
    attributes: { area_m2: rectArea(rect), ...attributes },
  };
}

const randomPoint = (rng: Rng, r: Rect, margin: number) =>
  toLngLat(r[0] + margin + rng() * (r[2] - r[0] - 2 * margin), r[1] + margin + rng() * (r[3] - r[1] - 2 * margin));

/** Installs devices of one community, numbering codes per kind and names per place. */
function deviceInstaller(ctx: Context, prefix: string) {
  const perKind = new Map<string, number>();
  const perPlace = new Map<string, number>();
  return (
    kind: DemoDeviceKind,
    placeCode: string,
    label: string,
    point: [number, number],
    extra: DemoDevice['attributes'] = {},
  ) => {
    const spec = deviceCatalogue[kind];
    const seq = (perKind.get(kind) ?? 0) + 1;
    const nth = (perPlace.get(`${placeCode} ${kind}`) ?? 0) + 1;
    perKind.set(kind, seq);
    perPlace.set(`${placeCode} ${kind}`, nth);
    const [vendor, model] = pick(ctx.rng, spec.models);
    const installedOn = `${int(ctx.rng, 2024, 2025)}-${pad(int(ctx.rng, 1, 12), 2)}-${pad(int(ctx.rng, 1, 28), 2)}`;
    ctx.devices.push({
      code: `${prefix}-${spec.abbreviation}-${pad(seq, 4)}`,
      name: `${label} ${spec.label} ${nth}号`,
      kind,
      placeCode,
      point,
      attributes: { vendor, model, installedOn, ...extra },
    });
  };
}

const isCourtyard = (name: string) => name.endsWith('院落') || name.includes('宿舍');

/** A unique Chinese display name and mobile number for a new staff account. */
function person(ctx: Context): { displayName: string; phone: string } {
  let displayName = '';
  while (!displayName || ctx.displayNames.has(displayName)) {
    const given = Array.from({ length: int(ctx.rng, 1, 2) }, () => pick(ctx.rng, [...givenNameCharacters]));
    displayName = pick(ctx.rng, [...surnames]) + given.join('');
  }
  let phone = '';
  while (!phone || ctx.phones.has(phone)) phone = `1${int(ctx.rng, 3, 9)}${pad(int(ctx.rng, 0, 999_999_999), 9)}`;
  ctx.displayNames.add(displayName);
  ctx.phones.add(phone);
  return { displayName, phone };
}

/** Lays out one community: compounds, buildings, facilities, grids, devices and grid staff. */
function buildCommunity(ctx: Context, spec: CommunitySpec, code: string, parentCode: string): DemoPlace {
  const { rng } = ctx;
  const model = code === modelCommunityCode;
  const names = model ? shanbanqiaoCompounds : (compoundNames[spec.name] ?? []).slice(0, int(rng, 5, 10));
  const [width, height] = [spec.rect[2] - spec.rect[0], spec.rect[3] - spec.rect[1]];
  const cols = model ? 6 : Math.max(2, Math.round(Math.sqrt(((names.length + 1) * width) / height)));
  const rows = model ? 4 : Math.ceil((names.length + 1) / cols);
  const rowGroups = model ? rows : Math.min(rows, 2);
  const gridTarget = model ? int(rng, 8, 12) : Math.max(rowGroups, int(rng, 3, 5));
  const { blocks, grids } = layoutBlocks(rng, spec.rect, cols, rows, rowGroups, gridTarget);
  const reserved = reserveBlocks(rng, blocks, grids.length, blocks.length - names.length);
  const compoundBlocks = [...blocks.keys()].filter((i) => !reserved.includes(i));
  const install = deviceInstaller(ctx, spec.prefix);

  // A compound keeps half a street from its block's edges; 院落 (old walk-ups) house fewer people per m² than 小区.
  const street = model ? 10 : 8;
  const rects = compoundBlocks.map((i) => inset(blocks[i]!.rect, street + rng() * 6, street + rng() * 6));
  const weights = rects.map((r, i) => rectArea(r) * (isCourtyard(names[i]!) ? 0.7 : 1.2) * (0.8 + 0.4 * rng()));
  const population = apportion(model ? int(rng, 101_000, 108_999) : int(rng, 1200, 2000) * names.length, weights);
  const compounds = names.map((name, i) => {
    const courtyard = isCourtyard(name);
    const households = Math.round(population[i]! / (2.4 + 0.4 * rng()));
    const buildings = model ? int(rng, courtyard ? 8 : 6, courtyard ? 14 : 12) : int(rng, 3, 7);
    const builtYear = courtyard ? int(rng, 1958, 1995) : int(rng, 1998, 2018);
    const attributes = {
      type: courtyard ? '院落' : '小区',
      population: population[i]!,
      households,
      buildings,
      builtYear,
    };
    const place = areaPlace('compound', `${code}C${pad(i + 1, 2)}`, name, code, rects[i]!, attributes);
    ctx.places.compound.push(place);
    return place;
  });

  compounds.forEach((compound, i) => {
    const rect = rects[i]!;
    const count = compound.attributes.buildings as number;
    const perFloor = compound.attributes.type === '院落' ? 4 : 8;
    const split = jitterWeights(rng, count);
    const households = apportion(compound.attributes.households as number, split);
    const residents = apportion(compound.attributes.population as number, split);
    const bCols = Math.max(1, Math.round(Math.sqrt((count * (rect[2] - rect[0])) / (rect[3] - rect[1]))));
    const cellW = (rect[2] - rect[0]) / bCols;
    const cellH = (rect[3] - rect[1]) / Math.ceil(count / bCols);
    for (let b = 0; b < count; b++) {
      const [cx, cy] = [rect[0] + ((b % bCols) + 0.5) * cellW, rect[3] - (Math.floor(b / bCols) + 0.5) * cellH];
      const [w, h] = [Math.min(cellW * 0.7, 60), Math.min(cellH * 0.45, 22)];
      const footprint: Rect = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
      const floors = Math.min(33, Math.max(6, Math.round(households[b]! / perFloor)));
      const attributes = { floors, households: households[b]!, population: residents[b]! };
      const building = areaPlace(
        'building',
        `${compound.code}B${pad(b + 1, 2)}`,
        `${b + 1}栋`,
        compound.code,
        footprint,
        attributes,
      );
      ctx.places.building.push(building);
      const label = compound.name + building.name;
      if (rng() < 0.25) install('smoke', building.code, label, randomPoint(rng, footprint, 2));
      if (rng() < 0.15) install('gas', building.code, label, randomPoint(rng, footprint, 2));
      if (rng() < (compound.attributes.type === '院落' ? 0.3 : 0.12)) {
        install('emergency_button', building.code, label, randomPoint(rng, footprint, 2));
      }
    }
    for (let k = int(rng, model ? 3 : 1, model ? 5 : 3); k > 0; k--) {
      const detections = k % 2 ? 'high_altitude_throw' : 'garbage_overflow,exposed_garbage,illegal_dumping';
      install('ai_camera', compound.code, compound.name, randomPoint(rng, rect, 5), { detections });
    }
    for (let k = int(rng, 1, 3); k > 0; k--) {
      install('smart_bin', compound.code, compound.name, randomPoint(rng, rect, 5), {
        capacityL: pick(rng, [240, 660]),
      });
    }
    for (let k = int(rng, 1, 2); k > 0; k--)
      install('manhole', compound.code, compound.name, randomPoint(rng, rect, 5));
    if (rng() < 0.5) {
      install('water_level', compound.code, compound.name, randomPoint(rng, rect, 5), {
        location: '地下车库',
        alarmLevelCm: 30,
      });
    }
  });

  // Public facilities share a reserved block (a slot each); stations stand just inside a compound's south gate.
  const hosts = shuffle(rng, [...compounds.keys()]);
  const specs = spec.facilities ?? [partyCentreSpec, stationSpec];
  specs.forEach(([type, template, at], f) => {
    let parent = code;
    let name = template.replace('{}', spec.name);
    let point: [number, number];
    if (at === 'compound') {
      const host = hosts.shift()!;
      const r = rects[host]!;
      [parent, name] = [compounds[host]!.code, template.replace('{}', compounds[host]!.name)];
      point = toLngLat(r[0] + (0.25 + 0.5 * rng()) * (r[2] - r[0]), r[1] + 4);
    } else {
      const inBlock = specs.filter((s) => s[2] === at);
      const slot = specs.slice(0, f).filter((s) => s[2] === at).length;
      const across = Math.ceil(Math.sqrt(inBlock.length));
      const area = inset(blocks[reserved[at]!]!.rect, 25);
      const [dx, dy] = [(area[2] - area[0]) / across, (area[3] - area[1]) / Math.ceil(inBlock.length / across)];
      point = toLngLat(area[0] + ((slot % across) + 0.5) * dx, area[3] - (Math.floor(slot / across) + 0.5) * dy);
    }
    const facility: DemoPlace = {
      code: `${code}F${pad(f + 1, 2)}`,
      kind: 'facility',
      name,
      parentCode: parent,
      geometry: null,
      point,
      attributes: { type },
    };
    ctx.places.facility.push(facility);
    for (const [kind, count] of Object.entries(facilityDevices[type] ?? {}) as [DemoDeviceKind, number][]) {
      for (let k = 0; k < count; k++) {
        const extra: Record<string, string | number> = {};
        if (kind === 'ai_camera')
          extra.detections = type === 'canteen' ? 'kitchen_no_hat,kitchen_no_mask,rodent' : 'fire,crowding';
        if (kind === 'cold_room')
          Object.assign(extra, k % 2 ? { setpointC: 4, minC: 0, maxC: 8 } : { setpointC: -18, minC: -25, maxC: -15 });
        install(kind, facility.code, name, point, extra);
      }
    }
  });

  // Grid staff: a worker per grid; a head (网格长) leads 2–4 consecutive grids of the community.
  const gridCodes = grids.map((_, g) => `${code}${pad(g + 1)}`);
  const heads: string[] = [];
  for (let n = 1, left = grids.length; left > 0; n++) {
    const size = left <= 4 ? left : int(rng, 2, Math.min(4, left - 2));
    const username = `wz-${code}-${n}`;
    ctx.users.push({ username, role: 'leader', scopeCode: code, gridCode: null, ...person(ctx) });
    for (let k = 0; k < size; k++) heads.push(username);
    left -= size;
  }
  grids.forEach((rect, g) => {
    const workerUsername = `wg-${gridCodes[g]}`;
    ctx.users.push({
      username: workerUsername,
      role: 'worker',
      scopeCode: code,
      gridCode: gridCodes[g]!,
      ...person(ctx),
    });
    ctx.grids.push({
      code: gridCodes[g]!,
      name: `${spec.name}第${g + 1}网格`,
      communityCode: code,
      geometry: rectPolygon(rect),
      workerUsername,
      headUsername: heads[g]!,
    });
  });

  const total = (key: string) => sum(compounds.map((c) => c.attributes[key] as number));
  const facts = { population: total('population'), households: total('households'), compounds: compounds.length };
  const extra: DemoPlace['attributes'] = model ? { partyMembers: 929, modelCommunity: true } : {};
  return areaPlace('community', code, spec.name, parentCode, spec.rect, {
    ...facts,
    buildings: total('buildings'),
    ...extra,
  });
}

/**
 * The demo district: 成华区 (Chengdu) with three sub-districts and six communities, modelled on
 * 杉板桥社区 (1.2 km², 22 compounds, over 100,000 residents). Pure and deterministic: the same
 * seed gives the same plan; residents appear only as aggregate counts.
 */
export function generateDemoDistrict(seed = 20261126): DemoPlan {
  const ctx: Context = {
    rng: mulberry32(seed),
    places: { district: [], subdistrict: [], community: [], compound: [], building: [], facility: [] },
    grids: [],
    devices: [],
    users: [],
    displayNames: new Set(),
    phones: new Set(),
  };
  const aggregate = (places: readonly DemoPlace[]) => ({
    population: sum(places.map((p) => p.attributes.population as number)),
    households: sum(places.map((p) => p.attributes.households as number)),
  });
  for (const sub of demoSubdistricts) {
    const subCode = `${demoDistrictCode}${pad(sub.seq)}`;
    const communities = sub.communities.map((c, i) => buildCommunity(ctx, c, `${subCode}${pad(i + 1)}`, subCode));
    ctx.places.community.push(...communities);
    const rect = bounds(
      sub.communities.map((c) => c.rect),
      20,
    );
    ctx.places.subdistrict.push(
      areaPlace('subdistrict', subCode, sub.name, demoDistrictCode, rect, aggregate(communities)),
    );
  }
  const all = demoSubdistricts.flatMap((s) => s.communities.map((c) => c.rect));
  const district = areaPlace(
    'district',
    demoDistrictCode,
    '成华区',
    null,
    bounds(all, 80),
    aggregate(ctx.places.subdistrict),
  );
  const { places } = ctx;
  return {
    places: [
      district,
      ...places.subdistrict,
      ...places.community,
      ...places.compound,
      ...places.building,
      ...places.facility,
    ],
    grids: ctx.grids,
    devices: ctx.devices,
    users: ctx.users,
  };
}
