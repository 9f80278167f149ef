import type { Unit } from '../kernel/db/unit-of-work.ts';
import { getSetting, putSetting } from '../kernel/settings.ts';
import { ruleCreator } from './rules.ts';
import { type RuleInput, ruleInput } from './schema.ts';
import * as store from './store.ts';

/**
 * The default rule pack: the report's camera cases and the usual community sensors. Telemetry
 * keys are the ones docs/devices.md documents for each device kind. Thresholds are starting
 * points an administrator tunes through `/api/rules`:
 * - gas: 20 % LEL, within the alarm-point range household detectors are set to (GB 15322.2); the
 *   detector's own alarm flag counts too;
 * - temperature: 60 °C for 2 minutes (the issue's example): far above any room, and lasting, so a
 *   kettle's steam does not count;
 * - manhole covers: a tilt of 15° or more, or the sensor's displaced flag;
 * - AI cameras: confidence cut-offs where the vendors' own default lies (0.6–0.8).
 */
const pack: unknown[] = [
  {
    code: 'camera-garbage-overflow',
    name: '垃圾堆积/满溢（AI识别）',
    scope: { deviceKinds: ['ai_camera'] },
    condition: { type: 'detection', types: ['garbage_overflow'], minConfidence: 0.7 },
    alarm: { category: 'garbage_overflow' },
    autoClear: false,
  },
  {
    code: 'bin-overflow',
    name: '垃圾桶满溢（满溢传感器，持续5分钟）',
    scope: { deviceKinds: ['smart_bin'] },
    condition: { type: 'duration', key: 'fill_level', op: '>=', value: 90, seconds: 300 },
    alarm: { category: 'garbage_overflow' },
    autoClear: true,
  },
  {
    code: 'camera-high-altitude-throw',
    name: '高空抛物（AI识别）',
    scope: { deviceKinds: ['ai_camera'] },
    condition: { type: 'detection', types: ['high_altitude_throw'], minConfidence: 0.6 },
    alarm: { category: 'high_altitude_throw' },
    autoClear: false,
  },
  {
    code: 'camera-fire-smoke',
    name: '烟火识别（AI识别）',
    scope: { deviceKinds: ['ai_camera'] },
    condition: { type: 'detection', types: ['fire_smoke'], minConfidence: 0.8 },
    alarm: { category: 'fire_smoke' },
    autoClear: false,
  },
  {
    code: 'camera-other-detections',
    name: '其他AI识别事件',
    scope: { deviceKinds: ['ai_camera'] },
    condition: {
      type: 'detection',
      excludeTypes: ['garbage_overflow', 'high_altitude_throw', 'fire_smoke'],
      minConfidence: 0.7,
    },
    alarm: {},
    autoClear: false,
  },
  {
    code: 'smoke-detector',
    name: '烟雾报警',
    scope: { deviceKinds: ['smoke'] },
    condition: { type: 'threshold', key: 'smoke', op: '==', value: true },
    alarm: { category: 'fire_smoke' },
    autoClear: true,
  },
  {
    code: 'high-temperature',
    name: '温度过高（60℃持续2分钟）',
    scope: { deviceKinds: ['temp_humidity'] },
    condition: { type: 'duration', key: 'temperature', op: '>', value: 60, seconds: 120 },
    alarm: { category: 'fire_smoke', severity: 'major', title: '温度异常升高' },
    autoClear: true,
  },
  {
    code: 'gas-leak',
    name: '燃气泄漏',
    scope: { deviceKinds: ['gas'] },
    condition: {
      type: 'any',
      of: [
        { type: 'threshold', key: 'gas_lel', op: '>=', value: 20 },
        { type: 'threshold', key: 'gas_alarm', op: '==', value: true },
      ],
    },
    alarm: { category: 'gas_leak' },
    autoClear: true,
  },
  {
    code: 'water-leak',
    name: '水浸',
    scope: { deviceKinds: ['water_level'] },
    condition: {
      type: 'any',
      of: [
        { type: 'threshold', key: 'water_leak', op: '==', value: true },
        { type: 'threshold', key: 'water_level_cm', op: '>=', value: 10 },
      ],
    },
    alarm: { category: 'flooding' },
    autoClear: true,
  },
  {
    code: 'manhole-displaced',
    name: '井盖位移/倾斜',
    scope: { deviceKinds: ['manhole'] },
    condition: {
      type: 'any',
      of: [
        { type: 'threshold', key: 'tilt_deg', op: '>=', value: 15 },
        { type: 'threshold', key: 'displaced', op: '==', value: true },
      ],
    },
    alarm: { category: 'manhole_cover' },
    autoClear: true,
  },
  {
    code: 'emergency-call',
    name: '紧急呼叫',
    scope: { deviceKinds: ['emergency_button'] },
    condition: { type: 'threshold', key: 'pressed', op: '==', value: true },
    alarm: { category: 'emergency_call' },
    // Someone must answer the call: only a person clears it.
    autoClear: false,
  },
  {
    code: 'device-offline',
    name: '设备离线（30分钟无数据）',
    scope: {},
    condition: { type: 'absence', minutes: 30 },
    alarm: { category: 'device_offline', severity: 'warning', title: '设备离线' },
    autoClear: true,
  },
];

/** The default rules, validated. */
export const defaultRules: readonly RuleInput[] = pack.map((r) => ruleInput.parse(r));

/** Version of the pack; raising it seeds rules added since (never re-creates removed ones of older versions). */
export const defaultPackVersion = 1;
const settingKey = 'rules.default-pack-version';

/**
 * Seeds the default pack once per pack version: rules whose code is free are created (as data
 * shipped with the code they are not audited; `rule_versions` has them); an administrator's changes
 * and removals are kept.
 */
export async function defaultRulesSeeder(unit: Unit): Promise<number> {
  const seeded = Number((await getSetting(unit.tx, settingKey)) ?? '0');
  if (seeded >= defaultPackVersion) return 0;
  let created = 0;
  for (const rule of defaultRules) {
    if (await store.findRuleByCode(unit.tx, rule.code)) continue;
    await ruleCreator(unit, rule, { placeId: null, path: null, gridId: null }, { audit: false });
    created += 1;
  }
  await putSetting(unit.tx, settingKey, String(defaultPackVersion), unit.clock.now().toISOString());
  return created;
}
