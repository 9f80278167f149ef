import type { Scope } from '../kernel/auth/principal.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';

export type RuleRow = Database['rules'];
export type RuleVersionRow = Database['rule_versions'];
export type RuleStateRow = Database['rule_state'];
export type AlarmRow = Database['alarms'];

const slice = 500;

export async function allRules(db: Executor): Promise<RuleRow[]> {
  return db.selectFrom('rules').selectAll().orderBy('code').execute();
}

/** A cheap fingerprint of the rule table: changes whenever a rule is added, changed or removed. */
export async function rulesFingerprint(db: Executor): Promise<string> {
  const r = await db
    .selectFrom('rules')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.max('updated_at').as('u'),
      eb.fn.sum<number>('version').as('v'),
    ])
    .executeTakeFirstOrThrow();
  return `${Number(r.n)}|${r.u ?? ''}|${Number(r.v ?? 0)}`;
}

export async function findRule(db: Executor, id: string): Promise<RuleRow | undefined> {
  return db.selectFrom('rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRuleByCode(db: Executor, code: string): Promise<RuleRow | undefined> {
  return db.selectFrom('rules').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertRule(db: Executor, row: RuleRow): Promise<void> {
  await db.insertInto('rules').values(row).execute();
}

export async function updateRule(db: Executor, id: string, patch: Partial<RuleRow>): Promise<void> {
  await db.updateTable('rules').set(patch).where('id', '=', id).execute();
}

export async function deleteRule(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('rule_state').where('rule_id', '=', id).execute();
  await db.deleteFrom('rules').where('id', '=', id).execute();
}

export async function insertRuleVersion(db: Executor, row: RuleVersionRow): Promise<void> {
  await db.insertInto('rule_versions').values(row).execute();
}

export async function ruleVersions(db: Executor, ruleId: string): Promise<RuleVersionRow[]> {
  return db.selectFrom('rule_versions').selectAll().where('rule_id', '=', ruleId).orderBy('version', 'desc').execute();
}

/** Window states of these devices. */
export async function statesOf(db: Executor, deviceIds: readonly string[]): Promise<RuleStateRow[]> {
  const out: RuleStateRow[] = [];
  for (let i = 0; i < deviceIds.length; i += slice) {
    out.push(
      ...(await db
        .selectFrom('rule_state')
        .selectAll()
        .where('device_id', 'in', deviceIds.slice(i, i + slice))
        .execute()),
    );
  }
  return out;
}

/** Writes window states (insert or replace). */
export async function saveStates(db: Executor, rows: readonly RuleStateRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += slice) {
    await db
      .insertInto('rule_state')
      .values(rows.slice(i, i + slice))
      .onConflict((oc) =>
        oc.columns(['rule_id', 'device_id']).doUpdateSet((eb) => ({
          rule_version: eb.ref('excluded.rule_version'),
          state: eb.ref('excluded.state'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** Open (not cleared) alarms with these keys. */
export async function openAlarmsByKey(db: Executor, keys: readonly string[]): Promise<AlarmRow[]> {
  const out: AlarmRow[] = [];
  for (let i = 0; i < keys.length; i += slice) {
    out.push(
      ...(await db
        .selectFrom('alarms')
        .selectAll()
        .where('open_key', 'in', keys.slice(i, i + slice))
        .execute()),
    );
  }
  return out;
}

export async function insertAlarm(db: Executor, row: AlarmRow): Promise<void> {
  await db.insertInto('alarms').values(row).execute();
}

/** Changes an open alarm; false when it was cleared meanwhile (by a person, on another node). */
export async function updateOpenAlarm(db: Executor, id: string, patch: Partial<AlarmRow>): Promise<boolean> {
  const r = await db
    .updateTable('alarms')
    .set(patch)
    .where('id', '=', id)
    .where('open_key', 'is not', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findAlarm(db: Executor, id: string): Promise<AlarmRow | undefined> {
  return db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
}

export type AlarmFilter = {
  status?: 'open' | 'active' | 'acknowledged' | 'cleared' | undefined;
  severity?: string | undefined;
  category?: string | undefined;
  placePath?: string | undefined;
  gridId?: string | undefined;
  deviceId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

/** Alarms in a scope, newest first, paged. */
export async function listAlarms(db: Executor, scope: Scope, f: AlarmFilter, page: { limit: number; offset: number }) {
  let q = db.selectFrom('alarms');
  if (scope.path !== null) q = q.where('path', 'like', `${scope.path}%`);
  if (scope.gridId !== null) q = q.where('grid_id', '=', scope.gridId);
  if (f.status === 'open') q = q.where('open_key', 'is not', null);
  else if (f.status) q = q.where('status', '=', f.status);
  if (f.severity) q = q.where('severity', '=', f.severity);
  if (f.category) q = q.where('category', '=', f.category);
  if (f.placePath) q = q.where('path', 'like', `${f.placePath}%`);
  if (f.gridId) q = q.where('grid_id', '=', f.gridId);
  if (f.deviceId) q = q.where('device_id', '=', f.deviceId);
  if (f.from) q = q.where('last_at', '>=', f.from);
  if (f.to) q = q.where('first_at', '<', f.to);
  const rows = await q
    .selectAll()
    .orderBy('last_at', 'desc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

/** Open alarms by place path and severity under `path`, within a scope (the roll-up's raw counts). */
export async function openAlarmCountsUnder(db: Executor, path: string, scope: Scope) {
  let q = db.selectFrom('alarms').where('open_key', 'is not', null).where('path', 'like', `${path}%`);
  if (scope.path !== null) q = q.where('path', 'like', `${scope.path}%`);
  if (scope.gridId !== null) q = q.where('grid_id', '=', scope.gridId);
  const rows = await q
    .select(['path', 'severity', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['path', 'severity'])
    .execute();
  return rows.map((r) => ({ path: r.path, severity: r.severity, n: Number(r.n) }));
}
