import { z } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { getSetting, putSetting } from '../kernel/settings.ts';

// Installation-wide settings of the case engine, kept in the settings table under one key and
// changed by an admin through `PUT /api/case-settings`.

const key = 'cases.settings';

const fields = {
  /** An alarm joins the open case of the same place and category created this recently (one pile of garbage, one case). */
  joinWindowMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60),
  /** Alarm cases are registered (立案) and dispatched (派遣) by the system at once. */
  autoDispatchAlarms: z.boolean(),
  /** 督办: once a case is overdue, remind the accountable people every so many working hours. */
  remindEveryWorkingHours: z.number().positive().max(80),
  /** Overdue escalates to the community at once, and to the sub-district this many working hours later. */
  subdistrictAfterWorkingHours: z.number().positive().max(400),
};

/** The case engine's settings; every field has a default. */
export const caseSettingsSchema = z.object({
  joinWindowMinutes: fields.joinWindowMinutes.default(120),
  autoDispatchAlarms: fields.autoDispatchAlarms.default(true),
  remindEveryWorkingHours: fields.remindEveryWorkingHours.default(2),
  subdistrictAfterWorkingHours: fields.subdistrictAfterWorkingHours.default(4),
});
/** A change of some settings (`PUT /api/case-settings`). */
export const caseSettingsPatch = z.object(fields).partial();
export type CaseSettings = z.infer<typeof caseSettingsSchema>;

/** The settings in force. */
export async function caseSettings(db: Executor): Promise<CaseSettings> {
  const raw = await getSetting(db, key);
  const parsed = caseSettingsSchema.safeParse(raw ? JSON.parse(raw) : {});
  return parsed.success ? parsed.data : caseSettingsSchema.parse({});
}

/** Changes the settings (audited). */
export async function caseSettingsUpdater(unit: Unit, patch: Partial<CaseSettings>): Promise<CaseSettings> {
  const before = await caseSettings(unit.tx);
  const after = caseSettingsSchema.parse({ ...before, ...patch });
  await putSetting(unit.tx, key, JSON.stringify(after), unit.clock.now().toISOString());
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'cases.settings',
    subjectType: 'settings',
    subjectId: key,
    before,
    after,
  });
  return after;
}
