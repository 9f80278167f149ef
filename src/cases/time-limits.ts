import { z } from 'zod';
import type { WorkingCalendar } from './calendar.ts';

// Case categories (事件小类) and their time limits (处置时限), CJ/T 214-2007 and CJ/T 315-2009.
// The seed figures come from docs/DOMAIN.md ("one district" column unless noted); the AI-camera
// rows use the vendor SDK's alarm codes. All of it is configuration: admins may replace the table.

/**
 * A time limit. `workingHours` and `workingDays` run on the working calendar; `sameDay` is the
 * 事不隔夜 cut-off rule; `minutes` run round the clock, for emergencies that cannot wait for office hours.
 */
export const timeLimitSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('workingHours'), value: z.number().positive() }),
  z.object({ unit: z.literal('workingDays'), value: z.number().int().positive() }),
  z.object({ unit: z.literal('sameDay') }),
  z.object({ unit: z.literal('minutes'), value: z.number().positive() }),
]);
export type TimeLimit = z.infer<typeof timeLimitSchema>;

/** Event classes (事件大类) of CJ/T 214-2007, plus 热线问题 for 12345 hotline cases. */
export const eventClasses = [
  'appearance', // 市容环境
  'advertising', // 宣传广告
  'construction', // 施工管理
  'emergency', // 突发事件
  'street_order', // 街面秩序
  'other', // 其他事件
  'hotline', // 热线问题
] as const;
export const eventClassSchema = z.enum(eventClasses);
export type EventClass = z.infer<typeof eventClassSchema>;

/** Chinese names of the event classes. */
export const eventClassLabels: Record<EventClass, string> = {
  appearance: '市容环境',
  advertising: '宣传广告',
  construction: '施工管理',
  emergency: '突发事件',
  street_order: '街面秩序',
  other: '其他事件',
  hotline: '热线问题',
};

/** Default severity of a new case, on the same scale as alarms. */
export const caseSeveritySchema = z.enum(['critical', 'major', 'minor', 'warning']);
export type CaseSeverity = z.infer<typeof caseSeveritySchema>;

/** One case category (事件小类) with its limits to accept (签收时限) and to handle (处置时限). */
export const caseCategorySchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.string().min(1),
  nameEn: z.string().min(1),
  eventClass: eventClassSchema,
  severity: caseSeveritySchema,
  /** Counted from when the responsible unit receives the case (派遣). */
  accept: timeLimitSchema,
  /** Counted from the same instant as `accept`, not from acceptance: slow signing eats handling time. */
  handle: timeLimitSchema,
  /** Later legal stages, for information only (私搭乱建: penalty, demolition); not tracked as deadlines. */
  stages: z.array(z.object({ name: z.string().min(1), limit: timeLimitSchema })).default([]),
  /** Alarm codes of the camera vendor's SDK that open a case of this category. */
  cameraCodes: z.array(z.number().int()).default([]),
  /** `detection.type` values from cameras and edge boxes that open a case of this category. */
  detectionTypes: z.array(z.string().min(1)).default([]),
});
export type CaseCategory = z.infer<typeof caseCategorySchema>;

/** A category table; codes, camera codes and detection types must each be unique. */
export const caseCategoriesSchema = z.array(caseCategorySchema).superRefine((categories, ctx) => {
  for (const key of ['code', 'cameraCodes', 'detectionTypes'] as const) {
    const seen = new Set<string | number>();
    categories.forEach((c, i) => {
      for (const value of ([] as (string | number)[]).concat(c[key])) {
        if (seen.has(value)) ctx.addIssue({ code: 'custom', message: `duplicate ${key}: ${value}`, path: [i, key] });
        seen.add(value);
      }
    });
  }
});

/** Parses the short form of a limit used in the seed table: `4wh`, `2wd`, `30min`, `sameDay`. */
export function parseTimeLimit(text: string): TimeLimit {
  if (text === 'sameDay') return { unit: 'sameDay' };
  const m = /^(\d+(?:\.\d+)?)(wh|wd|min)$/.exec(text);
  if (!m) throw new RangeError(`not a time limit: ${text}`);
  const unit = ({ wh: 'workingHours', wd: 'workingDays', min: 'minutes' } as const)[m[2] as 'wh' | 'wd' | 'min'];
  return timeLimitSchema.parse({ unit, value: Number(m[1]) });
}

// One category per line: wh = working hours, wd = working days, min = round the clock (danger to
// life cannot wait for office hours), sameDay = 事不隔夜; camera = vendor SDK alarm code; det `*` =
// cameras report it with the code as `detection.type`. Accept limits are our defaults throughout.
const seedTable = `
code                中文名             class        severity accept handle  camera det English name
# The district time-limit table (DOMAIN.md "Time limits"); 水域不洁 from another city.
exposed_garbage     暴露垃圾           appearance   minor    1wh    4wh     890    *   Exposed garbage
construction_waste  建筑垃圾           appearance   minor    1wh    4wh     -      -   Construction waste
spoil_heap          渣土               appearance   minor    2wh    2wd     -      -   Spoil heap
road_cleaning       道路保洁           appearance   minor    0.5wh  2wh     -      -   Road not clean after 08:00
standing_water      路面积水           emergency    major    0.5wh  4wh     -      *   Standing water on a road
green_space_litter  绿地保洁           appearance   minor    1wh    4wh     -      -   Litter in green space
green_maintenance   绿地养护           appearance   warning  2wh    5wd     -      -   Dead plants, tree pits
illegal_building    私搭乱建           appearance   major    1wh    4wh     -      -   Illegal building
dirty_water_surface 水域不洁           appearance   minor    2wh    15wd    -      -   Dirty water surface
# AI-camera alarms (DOMAIN.md vendor codes) and other deployments' camera categories: our limits.
garbage_overflow    垃圾堆积/满溢      appearance   minor    1wh    4wh     895    *   Garbage piled, bin full
illegal_dumping     垃圾违章倾倒       appearance   major    1wh    4wh     883    *   Illegal dumping
storefront_mess     门前脏乱           appearance   minor    1wh    sameDay 892    *   Untidy shop front
illegal_umbrella    违规撑伞           street_order warning  1wh    2wh     891    *   Umbrella stall
illegal_parking     机动车违章停车     street_order minor    0.5wh  2wh     893    *   Illegal parking
bike_parking        非机动车违章停车   street_order warning  1wh    2wh     894    *   Bicycles in the way
shop_encroachment   店外经营/占道经营  street_order minor    1wh    2wh     882    *   Trading outside the shop
street_vendor       游摊小贩           street_order minor    0.5wh  2wh     887    *   Street vendor
material_piling     乱堆物料           street_order minor    1wh    1wd     -      *   Materials piled
street_drying       沿街晾晒           street_order warning  1wh    2wh     -      *   Laundry along the street
ground_lock         地桩地锁           street_order minor    2wh    5wd     -      *   Parking posts and locks
outdoor_ad          违规户外广告       advertising  minor    2wh    5wd     -      *   Illegal outdoor ad
road_damage         道路破损           other        major    1wh    2wd     -      *   Damaged road surface
manhole_cover       井盖异常           emergency    critical 30min  240min  -      *   Manhole cover missing
fire_smoke          火警/烟雾          emergency    critical 5min   60min   881    *   Fire or smoke
gas_leak            燃气泄漏           emergency    critical 5min   60min   -      *   Gas leak
flooding            水浸               emergency    major    15min  120min  -      *   Water leak, flooding
emergency_call      紧急呼叫           emergency    critical 5min   30min   -      *   Emergency call button
# 高空抛物, a local extension: someone on site quickly, the investigation done the same day.
high_altitude_throw 高空抛物           emergency    major    15min  sameDay -      *   Object thrown from height
`;

/** Further `detection.type` values (other vendors' names) per category. */
const seedDetectionAliases: Record<string, string[]> = {
  exposed_garbage: ['packed_garbage'], // 打包垃圾
  green_maintenance: ['green_damage'], // 绿化损坏
};

/** Later legal stages of some categories (DOMAIN.md: 私搭乱建 penalty 7, demolition 20 working days). */
const seedStages: Record<string, CaseCategory['stages']> = {
  illegal_building: [
    { name: '处罚 penalty', limit: parseTimeLimit('7wd') },
    { name: '拆除 demolition', limit: parseTimeLimit('20wd') },
  ],
};

/** The seed category table. */
export const seedCategories: readonly CaseCategory[] = caseCategoriesSchema.parse(
  seedTable
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [code = '', name, eventClass, severity, accept = '', handle = '', camera, det, ...english] =
        line.split(/ +/);
      return {
        code,
        name,
        nameEn: english.join(' '),
        eventClass,
        severity,
        accept: parseTimeLimit(accept),
        handle: parseTimeLimit(handle),
        stages: seedStages[code] ?? [],
        cameraCodes: camera === '-' ? [] : [Number(camera)],
        detectionTypes: [...(det === '*' ? [code] : []), ...(seedDetectionAliases[code] ?? [])],
      };
    }),
);

/** The category with this code. */
export function categoryByCode(
  code: string,
  categories: readonly CaseCategory[] = seedCategories,
): CaseCategory | null {
  return categories.find((c) => c.code === code) ?? null;
}

/** The category a camera or edge-box detection opens, by `detection.type` or vendor alarm code. */
export function categoryForDetection(
  detection: string | number,
  categories: readonly CaseCategory[] = seedCategories,
): CaseCategory | null {
  return (
    categories.find((c) =>
      typeof detection === 'number' ? c.cameraCodes.includes(detection) : c.detectionTypes.includes(detection),
    ) ?? null
  );
}

/** The instant a time limit runs out, starting at `from`. */
export function deadlineAfter(limit: TimeLimit, from: Date, calendar: WorkingCalendar): Date {
  switch (limit.unit) {
    case 'workingHours':
      return calendar.addWorkingHours(from, limit.value);
    case 'workingDays':
      return calendar.addWorkingDays(from, limit.value);
    case 'sameDay':
      return calendar.sameDayDeadline(from);
    case 'minutes':
      return new Date(from.getTime() + limit.value * 60_000);
  }
}

/** Deadlines of a case. */
export type CaseDeadlines = { acceptBy: Date; handleBy: Date };

/**
 * When a case of `category` received at `receivedAt` must be accepted (签收) and handled (处置).
 * Pass the time the responsible unit received it: dispatch, or report time for self-handled cases;
 * after 返工, pass the rework time. `acceptBy` never falls after `handleBy`.
 */
export function deadlinesFor(
  category: Pick<CaseCategory, 'accept' | 'handle'>,
  receivedAt: Date,
  calendar: WorkingCalendar,
): CaseDeadlines {
  const handleBy = deadlineAfter(category.handle, receivedAt, calendar);
  const acceptBy = deadlineAfter(category.accept, receivedAt, calendar);
  return { acceptBy: new Date(Math.min(acceptBy.getTime(), handleBy.getTime())), handleBy };
}
