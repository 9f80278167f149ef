import type { deviceKinds } from '../twin/schema.ts';
import type { Rect } from './geometry.ts';

/**
 * Word lists of the demo district: compound names per community, people's names and the device
 * catalogue. Plain data, so the generator in `district.ts` reads as layout logic only.
 */

/**
 * The 22 compounds (小区/院落) of the model community 杉板桥社区, listed north-west to south-east.
 * Several stand on the sites of the old eastern-suburb factories (红光 773厂 → 东郊记忆, 420厂 →
 * 华润二十四城).
 */
export const shanbanqiaoCompounds = [
  '东郊记忆小区',
  '杉板桥南路院落',
  '建设北路三段院落',
  '华润二十四城一期',
  '华润二十四城二期',
  '华润二十四城三期',
  '红光厂宿舍院落',
  '宏明厂宿舍院落',
  '锦江电机厂宿舍院落',
  '杉板桥路18号院落',
  '杉板桥新居小区',
  '东郊印象小区',
  '建设北路二段院落',
  '跳蹬河北路院落',
  '东秀苑小区',
  '杉板桥北苑',
  '成华东苑小区',
  '和美东郊小区',
  '芙蓉坊小区',
  '杉林雅居',
  '新华东苑',
  '建设巷院落',
] as const;

/** Compound names of the other communities; a community uses the first few of its list. */
export const compoundNames: Record<string, readonly string[]> = {
  新鸿社区: [
    '新鸿路院落',
    '新鸿南苑',
    '跳蹬河南路院落',
    '锦绣东方小区',
    '新鸿花园',
    '东郊水岸小区',
    '电力宿舍院落',
    '建材厂宿舍院落',
    '新鸿北苑',
    '鸿景家园',
  ],
  下涧槽社区: [
    '下涧槽路院落',
    '二仙桥东三路院落',
    '涧槽雅苑',
    '机车厂宿舍院落',
    '东篱翠湖小区',
    '二仙桥北路院落',
    '铁路新村',
    '仙桥花园',
    '槽园小区',
    '涧西院落',
  ],
  东篱社区: [
    '东篱路院落',
    '东篱花园',
    '理工东苑',
    '二仙桥西路院落',
    '东篱新居',
    '龙潭东苑',
    '北星小区',
    '仙桥雅居',
    '东篱人家',
    '华林小区',
  ],
  水碾河社区: [
    '水碾河路院落',
    '双桥路院落',
    '水碾河南苑',
    '量具刃具厂宿舍院落',
    '河畔新居',
    '蜀都花园',
    '东桂苑',
    '万年路院落',
    '碾河小区',
    '双桥子北苑',
  ],
  双林社区: [
    '双林路院落',
    '双林北横路院落',
    '双林花园',
    '建设南路院落',
    '双林中横路院落',
    '林苑小区',
    '双林新居',
    '杉林苑',
    '双林南苑',
    '猛追湾东苑',
  ],
};

/** Common Chinese surnames, most frequent first. */
export const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢钟';

/** Characters for given names (one or two are drawn). */
export const givenNameCharacters =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅文斌宇浩凯欣怡婷雪琳鹏飞志成晓丹俊蓉川渝';

/** A device kind of the demo: every kind the twin knows. */
export type DemoDeviceKind = (typeof deviceKinds)[number];

/** One kind of device: label for names, abbreviation for codes (`SBQ-CAM-0001`), vendor/model pairs. */
export type DeviceKindSpec = { abbreviation: string; label: string; models: readonly (readonly [string, string])[] };

/** The device catalogue of the demo. */
export const deviceCatalogue: Record<DemoDeviceKind, DeviceKindSpec> = {
  ai_camera: {
    abbreviation: 'CAM',
    label: 'AI摄像头',
    models: [
      ['海康威视', 'iDS-2CD7A47'],
      ['大华', 'DH-IPC-HFW5449'],
    ],
  },
  smart_bin: {
    abbreviation: 'BIN',
    label: '智能垃圾桶',
    models: [
      ['盈峰环境', 'YF-SB240'],
      ['玖龙环卫', 'JL-Z660'],
    ],
  },
  smoke: {
    abbreviation: 'SMK',
    label: '烟感',
    models: [
      ['海曼', 'HM-608PH-NB'],
      ['泛海三江', 'JTY-GD-F1'],
    ],
  },
  gas: {
    abbreviation: 'GAS',
    label: '燃气报警器',
    models: [
      ['汉威', 'JT-KB6000'],
      ['海曼', 'HM-710NVM-NB'],
    ],
  },
  water_level: {
    abbreviation: 'WTR',
    label: '水位计',
    models: [
      ['宏电', 'H7-WL200'],
      ['汉威', 'WL-LORA-2'],
    ],
  },
  temp_humidity: {
    abbreviation: 'THS',
    label: '温湿度传感器',
    models: [
      ['涂鸦', 'TH-ZB01'],
      ['宏电', 'H7-TH10'],
    ],
  },
  cold_room: {
    abbreviation: 'CLD',
    label: '冷库温度计',
    models: [
      ['精创', 'RC-4HC'],
      ['宏电', 'H7-CT30'],
    ],
  },
  door: {
    abbreviation: 'DOR',
    label: '门磁',
    models: [
      ['涂鸦', 'DS-ZB02'],
      ['海曼', 'HM-DS01'],
    ],
  },
  manhole: {
    abbreviation: 'MHC',
    label: '智能井盖',
    models: [
      ['华为生态', 'MC-NB100'],
      ['宏电', 'H7-MH20'],
    ],
  },
  emergency_button: {
    abbreviation: 'SOS',
    label: '紧急呼叫按钮',
    models: [
      ['小度', 'EB-01'],
      ['海曼', 'HM-SOS-NB'],
    ],
  },
};

/** [type, name template ('{}' = the host's name), where: a reserved block of the community, or a compound]. */
export type FacilitySpec = readonly [type: string, name: string, at: 0 | 1 | 'compound'];
/** A community of the demo: name, code prefix of its devices, outline, facilities (default: 党群服务中心 + a station). */
export type CommunitySpec = { name: string; prefix: string; rect: Rect; facilities?: readonly FacilitySpec[] };
/** A sub-district (街道) of the demo: sequence in its code, name, communities. */
export type SubdistrictSpec = { seq: number; name: string; communities: readonly CommunitySpec[] };

/** An elderly-care station (养老服务站) inside a compound. */
export const stationSpec: FacilitySpec = ['elderly_care_station', '{}养老服务站', 'compound'];
/** The 党群服务中心 of a community. */
export const partyCentreSpec: FacilitySpec = ['party_service_center', '{}党群服务中心', 0];

/**
 * The sub-districts and communities of the demo, as rectangles in metres around 杉板桥 (see
 * geometry.ts); the gaps between them are roads.
 */
export const demoSubdistricts: readonly SubdistrictSpec[] = [
  {
    seq: 2,
    name: '双桥子街道',
    communities: [
      { name: '水碾河社区', prefix: 'SNH', rect: [-1500, -100, -660, 700] },
      { name: '双林社区', prefix: 'SL', rect: [-1500, -900, -660, -160] },
    ],
  },
  {
    seq: 3,
    name: '跳蹬河街道',
    communities: [
      {
        name: '杉板桥社区',
        prefix: 'SBQ',
        rect: [-600, -500, 600, 500], // 1.2 km²
        facilities: [
          partyCentreSpec,
          ['elderly_care_center', '{}养老服务中心', 0],
          ['childcare_center', '{}幼儿托育中心', 0],
          ['canteen', '{}食堂', 0],
          ['mini_fire_station', '{}微型消防站', 0],
          ['neighbourhood_space', '{}睦邻空间', 1],
          ['cafe', '蓉漂茶咖生活里', 1],
          stationSpec,
          stationSpec,
          stationSpec,
          ['waste_sorting_station', '{}垃圾分类驿站', 'compound'],
          ['waste_sorting_station', '{}垃圾分类驿站', 'compound'],
        ],
      },
      { name: '新鸿社区', prefix: 'XH', rect: [660, -450, 1460, 350] },
    ],
  },
  {
    seq: 4,
    name: '二仙桥街道',
    communities: [
      {
        name: '下涧槽社区',
        prefix: 'XJC',
        rect: [0, 560, 900, 1360],
        facilities: [partyCentreSpec, ['canteen', '{}邻里食堂', 0], ['charity_shop', '{}公益商店', 0], stationSpec],
      },
      { name: '东篱社区', prefix: 'DL', rect: [960, 560, 1660, 1260] },
    ],
  },
];

/** Devices installed in each kind of facility. */
export const facilityDevices: Record<string, Partial<Record<DemoDeviceKind, number>>> = {
  party_service_center: { smoke: 2, door: 1, ai_camera: 1 },
  elderly_care_center: { smoke: 2, temp_humidity: 2, emergency_button: 4, door: 1 },
  childcare_center: { smoke: 2, temp_humidity: 2, door: 1, ai_camera: 1 },
  canteen: { smoke: 1, gas: 2, cold_room: 2, temp_humidity: 1, door: 1, ai_camera: 1 },
  cafe: { smoke: 1, gas: 1, cold_room: 1 },
  neighbourhood_space: { smoke: 1, door: 1 },
  mini_fire_station: { smoke: 1, door: 1 },
  elderly_care_station: { smoke: 1, temp_humidity: 1, emergency_button: 2 },
  waste_sorting_station: { smart_bin: 2, ai_camera: 1 },
  charity_shop: { smoke: 1, cold_room: 1, door: 1 },
};
