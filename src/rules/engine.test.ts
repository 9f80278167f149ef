import { describe, expect, it } from 'vitest';
import type { DeviceContext } from '../twin/device-state.ts';
import { alarmKindOf, compileRule, conditionProblems, evaluateRule, ruleApplies, WindowStates } from './engine.ts';
import { type RuleInput, ruleInput } from './schema.ts';

const device: DeviceContext = {
  id: 'dev-1',
  code: 'CAM-1',
  name: '1号摄像头',
  kind: 'ai_camera',
  placeId: 'compound-1',
  path: '/district/street/community/compound-1/',
  gridId: 'grid-1',
  lng: 104.1,
  lat: 30.66,
  status: 'online',
  lastSeenAt: null,
};

const rule = (over: Partial<RuleInput> & Pick<RuleInput, 'condition'>, version = 1) =>
  compileRule({
    id: 'r1',
    code: 'r1',
    name: '测试规则',
    version,
    enabled: 1,
    definition: ruleInput.parse({ code: 'r1', name: '测试规则', ...over }),
  });

const threshold = { type: 'threshold', key: 't', op: '>', value: 1 } as const;

describe('rule engine', () => {
  it.each([
    ['an empty scope', {}, true],
    ['the device kind', { deviceKinds: ['ai_camera'] }, true],
    ['another kind', { deviceKinds: ['smoke'] }, false],
    ['the device', { deviceIds: ['dev-1'] }, true],
    ['an ancestor place', { placeIds: ['community'] }, true],
    ['the device’s own place', { placeIds: ['compound-1'] }, true],
    ['another place', { placeIds: ['compound-2'] }, false],
    ['kind and another place', { deviceKinds: ['ai_camera'], placeIds: ['compound-2'] }, false],
  ])('scope: %s', (_name, scope, applies) => {
    expect(ruleApplies(rule({ scope, condition: threshold, alarm: { category: 'fire_smoke' } }), device)).toBe(applies);
  });

  it('takes category, severity and title from the rule, else from the detection’s case category', () => {
    const camera = rule({ condition: { type: 'detection', minConfidence: 0.5 } });
    expect(alarmKindOf(camera, { type: 'high_altitude_throw', confidence: 0.9, snapshotUrl: null, at: '' })).toEqual({
      category: 'high_altitude_throw',
      severity: 'major',
      title: '高空抛物',
    });
    expect(alarmKindOf(camera, { type: 'exotic_thing', confidence: 0.9, snapshotUrl: null, at: '' }).category).toBe(
      'exotic_thing',
    );
    const named = rule({
      condition: threshold,
      alarm: { category: 'gas_leak', severity: 'minor', title: '燃气浓度偏高' },
    });
    expect(alarmKindOf(named, undefined)).toEqual({ category: 'gas_leak', severity: 'minor', title: '燃气浓度偏高' });
    const offline = rule({ condition: { type: 'absence', minutes: 30 } });
    expect(alarmKindOf(offline, undefined)).toEqual({
      category: 'device_offline',
      severity: 'warning',
      title: '设备离线',
    });
  });

  it('turns outcomes into trigger and normal actions, honouring the schedule and auto-clear', () => {
    const states = new WindowStates();
    const at = Date.parse('2026-11-27T03:00:00Z'); // Friday 11:00 in Beijing
    const sensor = rule({ condition: threshold, alarm: { category: 'fire_smoke' } });
    expect(evaluateRule(sensor, device, { tsMs: at, values: { t: 5 } }, states)?.type).toBe('trigger');
    expect(evaluateRule(sensor, device, { tsMs: at, values: { t: 0 } }, states)?.type).toBe('normal');
    const manual = rule({ condition: threshold, alarm: { category: 'fire_smoke' }, autoClear: false });
    expect(evaluateRule(manual, device, { tsMs: at, values: { t: 0 } }, states)).toBeUndefined();
    const nights = rule({
      condition: threshold,
      alarm: { category: 'fire_smoke' },
      schedule: { timezone: 'Asia/Shanghai', from: '22:00', to: '06:00' },
    });
    expect(evaluateRule(nights, device, { tsMs: at, values: { t: 5 } }, states)).toBeUndefined();
    expect(evaluateRule(nights, device, { tsMs: at + 12 * 3600_000, values: { t: 5 } }, states)?.type).toBe('trigger');
  });

  it('keeps window state per rule version: a new version starts afresh', () => {
    const condition = { type: 'duration', key: 't', op: '>', value: 1, seconds: 60 } as const;
    const states = new WindowStates();
    const t0 = Date.parse('2026-11-27T03:00:00Z');
    const v1 = rule({ condition, alarm: { category: 'fire_smoke' } }, 1);
    evaluateRule(v1, device, { tsMs: t0, values: { t: 5 } }, states);
    expect([...states.dirty()]).toEqual([{ ruleId: 'r1', deviceId: 'dev-1', version: 1, state: { c: { since: t0 } } }]);
    expect(evaluateRule(v1, device, { tsMs: t0 + 60_000, values: { t: 5 } }, states)?.type).toBe('trigger');
    const v2 = rule({ condition, alarm: { category: 'fire_smoke' } }, 2);
    // Under version 1 this would be 61 s of heat (a trigger); version 2 has only just started counting.
    expect(evaluateRule(v2, device, { tsMs: t0 + 61_000, values: { t: 5 } }, states)?.type).toBe('normal');
  });

  it('refuses combinations it cannot evaluate', () => {
    expect(conditionProblems({ type: 'all', of: [{ type: 'absence', minutes: 5 }] })).toEqual([
      { pointer: '/condition/of/0', detail: expect.stringContaining('absence') },
    ]);
    expect(
      conditionProblems({ type: 'count', of: { type: 'absence', minutes: 1 }, count: 2, windowSeconds: 60 }),
    ).toHaveLength(1);
    expect(conditionProblems(threshold)).toEqual([]);
  });
});
