import { z } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { getSetting, putSetting } from '../kernel/settings.ts';
import * as store from './store.ts';

// Installation-wide Open311 settings, in the settings table under one key, changed by an admin
// through `PUT /api/open311/settings`.

const key = 'open311.settings';

const fields = {
  /**
   * GeoReport v2 jurisdiction_id (the jurisdiction's web domain, e.g. `chenghua.gov.cn`). Unset: one
   * jurisdiction, and the parameter is ignored, as the specification allows; set: any other value
   * is answered 404.
   */
  jurisdictionId: z.string().trim().min(1).max(200).nullable(),
  /** Service Discovery `contact`. */
  contact: z.string().trim().min(1).max(500),
  /** Service Discovery `key_service`: how to get an API key. */
  keyService: z.string().trim().min(1).max(500),
};

/** The Open311 settings; every field has a default. */
export const open311SettingsSchema = z.object({
  jurisdictionId: fields.jurisdictionId.default(null),
  contact: fields.contact.default('区数字化城市管理指挥中心 The district’s urban management command centre'),
  keyService: fields.keyService.default(
    '由系统管理员签发：civictwin open311 key add <应用名> Keys are issued by the administrator',
  ),
});
/** A change of some settings. */
export const open311SettingsPatch = z.object(fields).partial();
export type Open311Settings = z.infer<typeof open311SettingsSchema>;

/** The settings in force, and when they last changed (Service Discovery `changeset`). */
export async function open311Settings(db: Executor): Promise<Open311Settings & { changedAt: string | null }> {
  const row = await store.findSettingRow(db, key);
  const parsed = open311SettingsSchema.safeParse(row ? JSON.parse(row.value) : {});
  return { ...(parsed.success ? parsed.data : open311SettingsSchema.parse({})), changedAt: row?.updated_at ?? null };
}

/** Changes the settings (audited). */
export async function open311SettingsUpdater(
  unit: Unit,
  patch: z.infer<typeof open311SettingsPatch>,
): Promise<Open311Settings> {
  const raw = await getSetting(unit.tx, key);
  const before = open311SettingsSchema.parse(raw ? JSON.parse(raw) : {});
  const after = open311SettingsSchema.parse({ ...before, ...patch });
  await putSetting(unit.tx, key, JSON.stringify(after), unit.clock.now().toISOString());
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'open311.settings',
    subjectType: 'settings',
    subjectId: key,
    before,
    after,
  });
  return after;
}
