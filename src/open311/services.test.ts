import { describe, expect, it } from 'vitest';
import { seedCategories } from '../cases/time-limits.ts';
import { answersChecker, open311Service, open311Services } from './services.ts';

describe('Open311 services from the case categories', () => {
  it('offers every category residents can report, named and grouped as the case engine does', () => {
    const services = open311Services();
    expect(services.length).toBe(seedCategories.length - 1);
    expect(services.map((s) => s.code)).not.toContain('emergency_call');
    const garbage = open311Service('exposed_garbage');
    expect(garbage).toMatchObject({ name: '暴露垃圾', group: '市容环境', type: 'realtime', metadata: false });
    expect(garbage?.keywords).toContain('exposed garbage');
    expect(garbage?.notice).toContain('4个工作小时内处置');
    expect(open311Service('illegal_building')?.type).toBe('batch');
  });

  it('gives extra questions with every GeoReport v2 datatype, ordered from 1', () => {
    const datatypes = new Set(open311Services().flatMap((s) => s.attributes.map((a) => a.datatype)));
    expect([...datatypes].sort()).toEqual([
      'datetime',
      'multivaluelist',
      'number',
      'singlevaluelist',
      'string',
      'text',
    ]);
    for (const s of open311Services()) {
      expect(s.metadata).toBe(s.attributes.length > 0);
      expect(s.attributes.map((a) => a.order)).toEqual(s.attributes.map((_, i) => i + 1));
      for (const a of s.attributes)
        expect(a.values.length > 0, `${s.code}.${a.code}`).toBe(a.datatype.endsWith('valuelist'));
    }
    expect(open311Service('fire_smoke')?.attributes[0]?.variable).toBe(false);
  });

  it('checks answers against the definition and reports every problem', () => {
    const parking = open311Service('illegal_parking')!;
    expect(answersChecker(parking, { vehicle_kind: 'car', plate_number: '川A12345', report_url: 'http://x' })).toEqual({
      answers: { vehicle_kind: 'car', plate_number: '川A12345', report_url: 'http://x' },
      errors: [],
    });
    expect(answersChecker(parking, {}).errors).toEqual([
      expect.stringMatching(/^attribute\[vehicle_kind\] is required/),
    ]);
    expect(answersChecker(parking, { vehicle_kind: 'tank' }).errors[0]).toMatch(/must be one of car, truck, motorbike/);
    expect(answersChecker(parking, { vehicle_kind: ['car', 'truck'] }).errors[0]).toMatch(/takes one value/);

    const vendor = open311Service('street_vendor')!;
    expect(answersChecker(vendor, { goods: ['fruit_veg', 'cooked_food', 'fruit_veg'] }).answers.goods).toEqual([
      'fruit_veg',
      'cooked_food',
    ]);
    expect(answersChecker(vendor, { goods: 'fruit_veg' }).answers.goods).toEqual(['fruit_veg']);
    expect(answersChecker(vendor, { goods: ['fruit_veg', 'guns'] }).errors[0]).toMatch(/must be among/);

    const road = open311Service('road_damage')!;
    expect(answersChecker(road, { damage_size: 'small', depth_cm: '12.5' }).answers.depth_cm).toBe(12.5);
    expect(answersChecker(road, { damage_size: 'small', depth_cm: 'deep' }).errors).toEqual([
      'attribute[depth_cm] must be a number',
    ]);

    const building = open311Service('illegal_building')!;
    expect(answersChecker(building, { stage: 'building', started_at: '2026-11-20T08:00:00+08:00' }).errors).toEqual([]);
    expect(answersChecker(building, { stage: 'building', started_at: 'last week' }).errors[0]).toMatch(/ISO 8601/);
  });
});
