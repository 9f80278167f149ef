import { randomUUID } from 'node:crypto';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Scope } from '../kernel/auth/principal.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { badRequest, conflict, notFound, outsideScope } from '../kernel/problems.ts';
import { devicesById, placesById } from '../twin/device-state.ts';
import { hasDetection } from './conditions.ts';
import { conditionProblems } from './engine.ts';
import type { RuleDefinition, RuleInput, RuleView } from './schema.ts';
import * as store from './store.ts';

/** A rule as clients see it. */
export function presentRule(row: store.RuleRow): RuleView {
  const d = JSON.parse(row.definition) as RuleDefinition;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    version: Number(row.version),
    enabled: Boolean(row.enabled),
    scope: d.scope,
    condition: d.condition,
    alarm: d.alarm,
    ...(d.schedule ? { schedule: d.schedule } : {}),
    autoClear: d.autoClear,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Whether a caller sees a rule: rules of the whole system, and rules of places in or above their scope. */
export function ruleVisible(row: store.RuleRow, scope: Scope): boolean {
  if (scope.path === null) return true;
  const paths = JSON.parse(row.place_paths) as string[];
  if (paths.length === 0) return true;
  const mine = scope.path;
  return paths.some((p) => p.startsWith(mine) || mine.startsWith(p));
}

/**
 * Checks what the schema cannot: a category unless detections give one, `count` over stateless
 * parts, absence on its own, and that the scope's places and devices exist. Returns the paths
 * the rule reaches (its places', its devices'); refuses (403) a rule reaching outside the writer's
 * scope, and a rule for everything to a scoped writer.
 */
async function checkRule(tx: Executor, input: RuleInput, writer: Scope): Promise<string[]> {
  const errors = conditionProblems(input.condition);
  if (input.alarm.category === undefined && !hasDetection(input.condition) && input.condition.type !== 'absence')
    errors.push({ pointer: '/alarm/category', detail: 'required unless the condition tests a detection' });
  const placeIds = input.scope.placeIds ?? [];
  const places = new Map((await placesById(tx, placeIds)).map((p) => [p.id, p]));
  const paths: string[] = [];
  placeIds.forEach((id, i) => {
    const place = places.get(id);
    if (!place) errors.push({ pointer: `/scope/placeIds/${i}`, detail: 'unknown place' });
    else paths.push(place.path);
  });
  const ids = input.scope.deviceIds ?? [];
  const devices = new Map((await devicesById(tx, ids)).map((d) => [d.id, d]));
  ids.forEach((id, i) => {
    if (!devices.has(id)) errors.push({ pointer: `/scope/deviceIds/${i}`, detail: 'unknown device' });
  });
  if (errors.length > 0) throw badRequest('the rule is not valid', errors);
  // Where the rule reaches: its places, and the places of the devices it names.
  const reach = [...new Set([...paths, ...[...devices.values()].map((d) => d.path)])];
  if (writer.path !== null) {
    if (reach.length === 0)
      throw outsideScope(
        'a rule for every device is for an administrator of the whole system; scope it to your places',
      );
    if (!reach.every((p) => p.startsWith(writer.path as string)))
      throw outsideScope('the rule reaches outside your scope');
  }
  return reach;
}

function definitionOf(input: RuleInput): RuleDefinition {
  return {
    scope: input.scope,
    condition: input.condition,
    alarm: input.alarm,
    ...(input.schedule ? { schedule: input.schedule } : {}),
    autoClear: input.autoClear,
  };
}

async function recordVersion(unit: Unit, row: store.RuleRow): Promise<void> {
  await store.insertRuleVersion(unit.tx, {
    rule_id: row.id,
    version: row.version,
    rule: JSON.stringify(presentRule(row)),
    changed_at: row.updated_at,
    changed_by: unit.actor,
  });
}

/**
 * Creates a rule (version 1), audited — except when the installation seeds its default pack
 * (`audit: false`): that is data shipped with the code, like a migration's, and `rule_versions`
 * still records it (`changed_by: system`).
 */
export async function ruleCreator(
  unit: Unit,
  input: RuleInput,
  writer: Scope,
  options: { audit: boolean } = { audit: true },
): Promise<store.RuleRow> {
  if (await store.findRuleByCode(unit.tx, input.code)) throw conflict(`rule code ${input.code} exists`);
  const paths = await checkRule(unit.tx, input, writer);
  const now = unit.clock.now().toISOString();
  const row: store.RuleRow = {
    id: randomUUID(),
    code: input.code,
    name: input.name,
    version: 1,
    enabled: input.enabled ? 1 : 0,
    definition: JSON.stringify(definitionOf(input)),
    place_paths: JSON.stringify(paths),
    created_at: now,
    updated_at: now,
  };
  await store.insertRule(unit.tx, row);
  await recordVersion(unit, row);
  if (!options.audit) return row;
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'rule.create',
    subjectType: 'rule',
    subjectId: row.id,
    after: presentRule(row),
  });
  return row;
}

/**
 * Replaces a rule's definition: a new version (the old one stays in `rule_versions`, and window
 * states of the old version are not reused), audited.
 */
export async function ruleUpdater(unit: Unit, before: store.RuleRow, input: RuleInput, writer: Scope) {
  if (input.code !== before.code && (await store.findRuleByCode(unit.tx, input.code)))
    throw conflict(`rule code ${input.code} exists`);
  const paths = await checkRule(unit.tx, input, writer);
  const after: store.RuleRow = {
    ...before,
    code: input.code,
    name: input.name,
    version: Number(before.version) + 1,
    enabled: input.enabled ? 1 : 0,
    definition: JSON.stringify(definitionOf(input)),
    place_paths: JSON.stringify(paths),
    updated_at: unit.clock.now().toISOString(),
  };
  await store.updateRule(unit.tx, before.id, after);
  await recordVersion(unit, after);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'rule.update',
    subjectType: 'rule',
    subjectId: before.id,
    before: presentRule(before),
    after: presentRule(after),
  });
  return after;
}

/** Removes a rule and its window state (audited); its alarms and versions stay. */
export async function ruleRemover(unit: Unit, row: store.RuleRow): Promise<void> {
  await store.deleteRule(unit.tx, row.id);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'rule.delete',
    subjectType: 'rule',
    subjectId: row.id,
    before: presentRule(row),
  });
}

/** Loads a rule or answers 404. */
export async function ruleLoader(db: Executor, id: string): Promise<store.RuleRow> {
  const row = await store.findRule(db, id);
  if (!row) throw notFound(`rule ${id}`);
  return row;
}

/** Scope check for changing or removing an existing rule. */
export function requireRuleWritable(row: store.RuleRow, writer: Scope): void {
  if (writer.path === null) return;
  const paths = JSON.parse(row.place_paths) as string[];
  if (paths.length === 0 || !paths.every((p) => p.startsWith(writer.path as string)))
    throw outsideScope(`rule ${row.code} reaches outside your scope`);
}
