import { z } from 'zod';
import { drawnAreaSchema, drawnPlaceGeometrySchema } from '../kernel/geo/geometry.ts';

/** Kinds of place in the tree, top to bottom, then facilities (points). */
export const placeKinds = ['district', 'subdistrict', 'community', 'compound', 'building', 'facility'] as const;
export const placeKindSchema = z.enum(placeKinds);
export type PlaceKind = z.infer<typeof placeKindSchema>;

/** 区 / 街道 / 社区 / 小区(院落) / 楼栋 / 设施 */
export const placeKindLabels: Record<PlaceKind, string> = {
  district: '区',
  subdistrict: '街道',
  community: '社区',
  compound: '小区/院落',
  building: '楼栋',
  facility: '设施',
};

/** Which kinds may hold which: the tree's shape. */
export const allowedParents: Record<PlaceKind, readonly PlaceKind[]> = {
  district: [],
  subdistrict: ['district'],
  community: ['subdistrict'],
  compound: ['community'],
  building: ['compound'],
  facility: ['subdistrict', 'community', 'compound', 'building'],
};

/** Device kinds the platform knows; others are accepted as plain strings of the same form. */
export const deviceKinds = [
  'ai_camera',
  'smart_bin',
  'smoke',
  'gas',
  'water_level',
  'temp_humidity',
  'cold_room',
  'door',
  'manhole',
  'emergency_button',
] as const;

export const deviceKindLabels: Record<(typeof deviceKinds)[number], string> = {
  ai_camera: 'AI摄像头',
  smart_bin: '智能垃圾桶',
  smoke: '烟感',
  gas: '燃气报警器',
  water_level: '水位/水浸传感器',
  temp_humidity: '温湿度传感器',
  cold_room: '冷库温控',
  door: '门磁',
  manhole: '井盖传感器',
  emergency_button: '紧急呼叫按钮',
};

const code = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore');
const attributes = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const lngLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

export const placeInput = z.object({
  code,
  kind: placeKindSchema,
  name: z.string().min(1).max(128),
  parentId: z.string().nullable().optional(),
  geometry: drawnPlaceGeometrySchema
    .nullable()
    .optional()
    .describe('GeoJSON Polygon, MultiPolygon or Point (WGS84); polygons must not cross themselves'),
  attributes: attributes.optional(),
});
export type PlaceInput = z.infer<typeof placeInput>;
export const placePatch = placeInput.partial().omit({ kind: true });
export type PlacePatch = z.infer<typeof placePatch>;

export const gridInput = z.object({
  code: z
    .string()
    .regex(/^\d{15}$/, 'a grid code is 15 digits: admin code (6) + street (3) + community (3) + grid (3)'),
  name: z.string().min(1).max(128),
  communityId: z.string(),
  geometry: drawnAreaSchema.describe('GeoJSON Polygon or MultiPolygon (WGS84) that does not cross itself'),
  workerId: z.string().nullable().optional(),
  headId: z.string().nullable().optional(),
  attributes: attributes.optional(),
});
export type GridInput = z.infer<typeof gridInput>;
export const gridPatch = gridInput.partial().omit({ communityId: true });
export type GridPatch = z.infer<typeof gridPatch>;

export const deviceInput = z.object({
  code,
  name: z.string().min(1).max(128),
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, 'snake_case')
    .describe(`one of ${deviceKinds.join(', ')}, or another snake_case kind`),
  placeId: z.string(),
  location: lngLat.optional().describe('[longitude, latitude]; defaults to the place’s point'),
  attributes: attributes.optional(),
});
export type DeviceInput = z.infer<typeof deviceInput>;
export const devicePatch = deviceInput.partial().omit({ code: true });
export type DevicePatch = z.infer<typeof devicePatch>;

const geometryOut = z.unknown().nullable();
const person = z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable() }).nullable();

export const placeView = z.object({
  id: z.string(),
  code: z.string(),
  kind: placeKindSchema,
  kindLabel: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  gridId: z.string().nullable(),
  geometry: geometryOut,
  point: lngLat.nullable(),
  attributes: attributes,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PlaceView = z.infer<typeof placeView>;

export const gridView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  communityId: z.string(),
  geometry: geometryOut,
  worker: person,
  head: person,
  attributes: attributes,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GridView = z.infer<typeof gridView>;

export const deviceView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  placeId: z.string(),
  gridId: z.string().nullable(),
  location: lngLat,
  attributes: attributes,
  status: z.enum(['online', 'offline', 'unknown']),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DeviceView = z.infer<typeof deviceView>;
