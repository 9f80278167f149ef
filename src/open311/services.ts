import { type CaseCategory, eventClassLabels, seedCategories, type TimeLimit } from '../cases/time-limits.ts';
import { parseW3cDateTime } from './dates.ts';

// The Open311 services are our case categories (事件小类, src/cases/time-limits.ts): service_code
// is the category code, service_name its Chinese name, group its event class (事件大类). Some
// categories ask residents extra questions (GeoReport v2 "GET Service Definition"); they live in
// the small table below, which is the only Open311-specific part of the catalogue.

/** GeoReport v2 attribute datatypes. */
export type AttributeDatatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

/** One extra question of a service (GeoReport v2 `attribute`). */
export type ServiceAttribute = {
  /** false: shown to the user as information only, no answer expected. */
  variable: boolean;
  code: string;
  datatype: AttributeDatatype;
  required: boolean;
  datatypeDescription: string | null;
  order: number;
  description: string;
  values: readonly { key: string; name: string }[];
};

/** A service as GeoReport v2 lists it. */
export type Open311Service = {
  code: string;
  name: string;
  description: string;
  /** Whether the service has a definition with attributes to fetch. */
  metadata: boolean;
  /** realtime: POST answers with the service_request_id; batch: with a token. */
  type: 'realtime' | 'batch';
  keywords: string;
  group: string;
  /** What happens next, from the category's time limit. */
  notice: string;
  attributes: readonly ServiceAttribute[];
};

/** Categories only devices report (the emergency button), not offered to residents. */
const deviceOnly: ReadonlySet<string> = new Set(['emergency_call']);

/**
 * Categories whose reports are reviewed before they get a public id (type `batch`): 私搭乱建 is a
 * legal matter, so a report answers with a token and becomes a public request once registered.
 */
const batchServices: ReadonlySet<string> = new Set(['illegal_building']);

/** Words residents search by, beside the category's names. */
const extraKeywords: Record<string, string[]> = {
  exposed_garbage: ['垃圾', 'rubbish', 'litter'],
  garbage_overflow: ['垃圾桶', '满溢', 'bin'],
  illegal_parking: ['停车', '占道', 'car'],
  street_vendor: ['摆摊', '流动摊贩', 'hawker'],
  road_damage: ['坑洞', '路面', 'pothole'],
  manhole_cover: ['井盖', 'manhole'],
  standing_water: ['积水', 'puddle'],
  high_altitude_throw: ['高空坠物', 'falling object'],
};

const option = (key: string, name: string) => ({ key, name });
const yesNo = [option('yes', '是 yes'), option('no', '否 no')];

type Question = Omit<ServiceAttribute, 'order' | 'datatypeDescription' | 'values' | 'variable'> &
  Partial<Pick<ServiceAttribute, 'datatypeDescription' | 'values' | 'variable'>>;

/** The extra questions per category, in the order they are asked. */
const questions: Record<string, Question[]> = {
  illegal_parking: [
    {
      code: 'vehicle_kind',
      datatype: 'singlevaluelist',
      required: true,
      description: '车辆类型 What kind of vehicle?',
      values: [option('car', '小汽车 car'), option('truck', '货车 lorry'), option('motorbike', '摩托车 motorbike')],
    },
    {
      code: 'plate_number',
      datatype: 'string',
      required: false,
      description: '车牌号（选填） Number plate, if you can read it',
      datatypeDescription: '例如 川A12345',
    },
  ],
  street_vendor: [
    {
      code: 'goods',
      datatype: 'multivaluelist',
      required: true,
      description: '售卖物品 What is being sold?',
      values: [
        option('cooked_food', '熟食 cooked food'),
        option('fruit_veg', '果蔬 fruit and vegetables'),
        option('clothes', '衣物 clothes'),
        option('other', '其他 other'),
      ],
    },
  ],
  road_damage: [
    {
      code: 'damage_size',
      datatype: 'singlevaluelist',
      required: true,
      description: '破损面积 How large is the damage?',
      values: [
        option('small', '小于1平方米 under 1 m²'),
        option('medium', '1–5平方米 1 to 5 m²'),
        option('large', '大于5平方米 over 5 m²'),
      ],
    },
    { code: 'depth_cm', datatype: 'number', required: false, description: '深度（厘米，选填） Depth in centimetres' },
  ],
  garbage_overflow: [
    { code: 'bin_count', datatype: 'number', required: false, description: '满溢的垃圾桶数量 How many bins are full?' },
  ],
  illegal_building: [
    {
      code: 'stage',
      datatype: 'singlevaluelist',
      required: true,
      description: '建设进度 How far has the building gone?',
      values: [
        option('starting', '刚开始 just started'),
        option('building', '施工中 under way'),
        option('finished', '已完工 finished'),
      ],
    },
    {
      code: 'started_at',
      datatype: 'datetime',
      required: false,
      description: '大约何时开工（选填） When did the work start?',
      datatypeDescription: 'ISO 8601, e.g. 2026-11-20T08:00:00+08:00',
    },
  ],
  high_altitude_throw: [
    {
      code: 'injury',
      datatype: 'singlevaluelist',
      required: true,
      description: '是否有人受伤 Was anyone hurt?',
      values: yesNo,
    },
    {
      code: 'floor_estimate',
      datatype: 'number',
      required: false,
      description: '估计楼层（选填） Which floor, roughly?',
    },
    { code: 'details', datatype: 'text', required: false, description: '经过（选填） What happened?' },
  ],
  fire_smoke: [
    {
      code: 'call_119',
      variable: false,
      datatype: 'string',
      required: false,
      description: '如有明火或人员被困，请立即拨打119 If there are flames or people trapped, call 119 now',
    },
    {
      code: 'called_119',
      datatype: 'singlevaluelist',
      required: true,
      description: '是否已拨打119 Have you called 119?',
      values: yesNo,
    },
  ],
  gas_leak: [
    {
      code: 'evacuate',
      variable: false,
      datatype: 'string',
      required: false,
      description: '请勿开关电器，立即撤离并拨打119 Do not touch switches; leave and call 119',
    },
    {
      code: 'called_119',
      datatype: 'singlevaluelist',
      required: true,
      description: '是否已拨打119 Have you called 119?',
      values: yesNo,
    },
  ],
  manhole_cover: [
    {
      code: 'cover_state',
      datatype: 'singlevaluelist',
      required: true,
      description: '井盖情况 What is wrong with the cover?',
      values: [
        option('missing', '缺失 missing'),
        option('broken', '破损 broken'),
        option('sunken', '下沉 sunken'),
        option('loose', '松动异响 loose'),
      ],
    },
  ],
};

/** How long handling may take, as residents read it. */
export function limitNotice(limit: TimeLimit): string {
  switch (limit.unit) {
    case 'workingHours':
      return `${limit.value}个工作小时内处置 To be handled within ${limit.value} working hours`;
    case 'workingDays':
      return `${limit.value}个工作日内处置 To be handled within ${limit.value} working days`;
    case 'sameDay':
      return '当日处置，事不隔夜 To be handled the same day';
    case 'minutes':
      return `${limit.value}分钟内处置 To be handled within ${limit.value} minutes`;
  }
}

function serviceOf(c: CaseCategory): Open311Service {
  const attributes = (questions[c.code] ?? []).map((q, i) => ({
    variable: q.variable ?? true,
    code: q.code,
    datatype: q.datatype,
    required: q.required,
    datatypeDescription: q.datatypeDescription ?? null,
    order: i + 1,
    description: q.description,
    values: q.values ?? [],
  }));
  const notice = limitNotice(c.handle);
  const keywords = [
    ...c.name.split('/'),
    c.nameEn.toLowerCase(),
    eventClassLabels[c.eventClass],
    ...(extraKeywords[c.code] ?? []),
  ];
  return {
    code: c.code,
    name: c.name,
    description: `${c.nameEn}. ${notice}.`,
    metadata: attributes.length > 0,
    type: batchServices.has(c.code) ? 'batch' : 'realtime',
    keywords: [...new Set(keywords)].join(', '),
    group: eventClassLabels[c.eventClass],
    notice,
    attributes,
  };
}

/** The services residents may report, from the case categories. */
export function open311Services(categories: readonly CaseCategory[] = seedCategories): Open311Service[] {
  return categories.filter((c) => !deviceOnly.has(c.code)).map(serviceOf);
}

/** One service by code, or null. */
export function open311Service(
  code: string,
  categories: readonly CaseCategory[] = seedCategories,
): Open311Service | null {
  return open311Services(categories).find((s) => s.code === code) ?? null;
}

/** Answers as posted: `attribute[code]=v` gives a string, `attribute[code][]=v` a list. */
export type AttributeAnswers = Record<string, string | string[]>;

/** Checked answers: numbers as numbers, lists as lists; codes the service does not ask kept as sent. */
export type CheckedAnswers = Record<string, string | number | string[]>;

const present = (v: string | string[] | undefined) =>
  v !== undefined && (Array.isArray(v) ? v.some((x) => x.trim() !== '') : v.trim() !== '');

/**
 * Checks the answers against the service definition: required questions answered, numbers and
 * dates well-formed, list values among the offered keys. Returns every problem at once (GeoReport
 * v2 errors are a list). Codes the service does not ask are kept as sent: FixMyStreet-style
 * clients add their own (`attribute[report_url]` …).
 */
export function answersChecker(
  service: Open311Service,
  answers: AttributeAnswers,
): { answers: CheckedAnswers; errors: string[] } {
  const out: CheckedAnswers = {};
  const errors: string[] = [];
  const asked = new Map(service.attributes.filter((a) => a.variable).map((a) => [a.code, a]));
  for (const [code, value] of Object.entries(answers)) {
    if (!asked.has(code)) out[code] = Array.isArray(value) ? value.map((v) => v.slice(0, 1000)) : value.slice(0, 1000);
  }
  for (const a of asked.values()) {
    const value = answers[a.code];
    const name = `attribute[${a.code}]`;
    if (!present(value)) {
      if (a.required) errors.push(`${name} is required: ${a.description}`);
      continue;
    }
    const values = ([] as string[])
      .concat(value ?? [])
      .map((v) => v.trim())
      .filter((v) => v !== '');
    const keys = new Set(a.values.map((v) => v.key));
    if (a.datatype !== 'multivaluelist' && values.length > 1) {
      errors.push(`${name} takes one value`);
      continue;
    }
    const one = values[0] ?? '';
    switch (a.datatype) {
      case 'number':
        if (!/^-?\d+(\.\d+)?$/.test(one)) errors.push(`${name} must be a number`);
        else out[a.code] = Number(one);
        break;
      case 'datetime':
        if (!parseW3cDateTime(one)) errors.push(`${name} must be an ISO 8601 date-time with its time zone`);
        else out[a.code] = one;
        break;
      case 'string':
        if (one.length > 500 || /[\r\n]/.test(one)) errors.push(`${name} must be one line of at most 500 characters`);
        else out[a.code] = one;
        break;
      case 'text':
        if (one.length > 4000) errors.push(`${name} is limited to 4,000 characters`);
        else out[a.code] = one;
        break;
      case 'singlevaluelist':
        if (!keys.has(one)) errors.push(`${name} must be one of ${[...keys].join(', ')}`);
        else out[a.code] = one;
        break;
      case 'multivaluelist': {
        const unknown = values.filter((v) => !keys.has(v));
        if (unknown.length > 0) errors.push(`${name} must be among ${[...keys].join(', ')}`);
        else out[a.code] = [...new Set(values)];
        break;
      }
    }
  }
  return { answers: out, errors };
}
