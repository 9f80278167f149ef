import { describe, expect, it } from 'vitest';
import { defaultCalendar as cal, createWorkingCalendar } from './calendar.ts';
import {
  type CaseCategory,
  caseCategoriesSchema,
  categoryByCode,
  categoryForDetection,
  deadlineAfter,
  deadlinesFor,
  parseTimeLimit,
  seedCategories,
} from './time-limits.ts';

const bj = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const fmt = (at: Date): string => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const category = (code: string): CaseCategory => {
  const found = categoryByCode(code);
  if (!found) throw new Error(`no category ${code}`);
  return found;
};

describe('seed table', () => {
  it('is a valid category table', () => {
    expect(() => caseCategoriesSchema.parse(seedCategories)).not.toThrow();
    expect(seedCategories.length).toBeGreaterThanOrEqual(25);
  });

  // DOMAIN.md "Time limits", the "one district" column (水域不洁 from the other city).
  it.each([
    ['exposed_garbage', '暴露垃圾', { unit: 'workingHours', value: 4 }],
    ['construction_waste', '建筑垃圾', { unit: 'workingHours', value: 4 }],
    ['spoil_heap', '渣土', { unit: 'workingDays', value: 2 }],
    ['road_cleaning', '道路保洁', { unit: 'workingHours', value: 2 }],
    ['standing_water', '路面积水', { unit: 'workingHours', value: 4 }],
    ['green_space_litter', '绿地保洁', { unit: 'workingHours', value: 4 }],
    ['green_maintenance', '绿地养护', { unit: 'workingDays', value: 5 }],
    ['illegal_building', '私搭乱建', { unit: 'workingHours', value: 4 }],
    ['dirty_water_surface', '水域不洁', { unit: 'workingDays', value: 15 }],
  ])('%s (%s) has the published handling limit', (code, name, handle) => {
    expect(category(code)).toMatchObject({ name, handle });
  });

  it('keeps the later stages of 私搭乱建', () => {
    expect(category('illegal_building').stages).toEqual([
      { name: '处罚 penalty', limit: { unit: 'workingDays', value: 7 } },
      { name: '拆除 demolition', limit: { unit: 'workingDays', value: 20 } },
    ]);
  });

  it.each([
    [890, 'exposed_garbage'],
    [891, 'illegal_umbrella'],
    [892, 'storefront_mess'],
    [893, 'illegal_parking'],
    [894, 'bike_parking'],
    [895, 'garbage_overflow'],
    [883, 'illegal_dumping'],
    [882, 'shop_encroachment'],
    [887, 'street_vendor'],
    [881, 'fire_smoke'],
  ])('maps vendor alarm code %i to %s', (code, expected) => {
    expect(categoryForDetection(code)?.code).toBe(expected);
  });

  it.each([
    ['garbage_overflow', '垃圾堆积/满溢', 'appearance'],
    ['high_altitude_throw', '高空抛物', 'emergency'],
    ['fire_smoke', '火警/烟雾', 'emergency'],
    ['illegal_parking', '机动车违章停车', 'street_order'],
    ['packed_garbage', '暴露垃圾', 'appearance'],
  ])('maps detection type %s to %s (%s)', (type, name, eventClass) => {
    expect(categoryForDetection(type)).toMatchObject({ name, eventClass });
  });

  it('has an English name, and an accept limit no longer than the handling limit, for every category', () => {
    const monday = bj('2026-11-30 09:00');
    for (const c of seedCategories) {
      expect(c.nameEn, c.code).not.toBe('');
      const accept = deadlineAfter(c.accept, monday, cal);
      expect(accept.getTime(), c.code).toBeLessThanOrEqual(deadlineAfter(c.handle, monday, cal).getTime());
    }
  });

  it('returns null for unknown codes and detections', () => {
    expect(categoryByCode('nope')).toBeNull();
    expect(categoryForDetection('nope')).toBeNull();
    expect(categoryForDetection(999)).toBeNull();
  });

  it('refuses a table with duplicate codes or camera codes', () => {
    const row = seedCategories[0]!;
    expect(() => caseCategoriesSchema.parse([row, row])).toThrow(/duplicate/);
    expect(() => caseCategoriesSchema.parse([row, { ...row, code: 'other', detectionTypes: [] }])).toThrow(
      /cameraCodes/,
    );
  });
});

describe('parseTimeLimit', () => {
  it.each([
    ['4wh', { unit: 'workingHours', value: 4 }],
    ['0.5wh', { unit: 'workingHours', value: 0.5 }],
    ['20wd', { unit: 'workingDays', value: 20 }],
    ['30min', { unit: 'minutes', value: 30 }],
    ['sameDay', { unit: 'sameDay' }],
  ])('%s', (text, expected) => {
    expect(parseTimeLimit(text)).toEqual(expected);
  });

  it.each(['4', '4h', '1.5wd', '0wh', 'today'])('refuses %s', (text) => {
    expect(() => parseTimeLimit(text)).toThrow();
  });
});

describe('deadlinesFor', () => {
  it.each([
    ['暴露垃圾 on a Monday morning', 'exposed_garbage', '2026-11-30 10:00', '2026-11-30 11:00', '2026-11-30 15:30'],
    ['暴露垃圾 on a Friday evening', 'exposed_garbage', '2026-11-27 17:00', '2026-11-27 18:00', '2026-11-30 12:00'],
    ['道路保洁 just before lunch', 'road_cleaning', '2026-11-30 11:45', '2026-11-30 13:45', '2026-11-30 15:15'],
    ['渣土 before 国庆', 'spoil_heap', '2026-09-30 15:00', '2026-09-30 17:00', '2026-10-09 18:00'],
    [
      '绿地养护 before 春节 (counts the make-up Saturday)',
      'green_maintenance',
      '2026-02-12 10:00',
      '2026-02-12 12:00',
      '2026-02-26 18:00',
    ],
    ['门前脏乱 before the cut-off', 'storefront_mess', '2026-11-30 15:00', '2026-11-30 16:00', '2026-11-30 18:00'],
    ['门前脏乱 after the cut-off', 'storefront_mess', '2026-11-30 16:30', '2026-11-30 17:30', '2026-12-01 18:00'],
    ['门前脏乱 on the make-up Sunday', 'storefront_mess', '2026-09-20 09:00', '2026-09-20 10:00', '2026-09-20 18:00'],
    ['高空抛物 on a Saturday night', 'high_altitude_throw', '2026-11-28 22:00', '2026-11-28 22:15', '2026-11-30 18:00'],
    ['高空抛物 during 国庆', 'high_altitude_throw', '2026-10-02 14:00', '2026-10-02 14:15', '2026-10-08 18:00'],
    ['火警 during 国庆: round the clock', 'fire_smoke', '2026-10-03 23:30', '2026-10-03 23:35', '2026-10-04 00:30'],
    ['井盖异常 on a Sunday', 'manhole_cover', '2026-11-29 08:00', '2026-11-29 08:30', '2026-11-29 12:00'],
    ['违章停车 on the make-up Saturday', 'illegal_parking', '2026-10-10 17:00', '2026-10-10 17:30', '2026-10-12 10:00'],
  ])('%s', (_label, code, received, acceptBy, handleBy) => {
    const d = deadlinesFor(category(code), bj(received), cal);
    expect({ acceptBy: fmt(d.acceptBy), handleBy: fmt(d.handleBy) }).toEqual({ acceptBy, handleBy });
  });

  it('never lets the accept deadline fall after the handling deadline', () => {
    const odd = { accept: parseTimeLimit('2wd'), handle: parseTimeLimit('2wh') };
    const d = deadlinesFor(odd, bj('2026-11-30 10:00'), cal);
    expect(fmt(d.acceptBy)).toBe('2026-11-30 12:00');
    expect(d.acceptBy).toEqual(d.handleBy);
  });

  it('follows the calendar it is given', () => {
    const early = createWorkingCalendar({ workingHours: [{ start: '08:00', end: '17:00' }], cutOff: '15:00' });
    const d = deadlinesFor(category('storefront_mess'), bj('2026-11-30 15:30'), early);
    expect(fmt(d.handleBy)).toBe('2026-12-01 17:00');
  });
});
