import { randomUUID } from 'node:crypto';
import { appendAudit } from '../kernel/audit/audit.ts';
import { findUsersByIds } from '../kernel/auth/store.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import type { Area } from '../kernel/geo/geometry.ts';
import { badRequest, conflict, notFound } from '../kernel/problems.ts';
import { regridUnder } from './places.ts';
import type { GridInput, GridPatch } from './schema.ts';
import * as store from './store.ts';
import type { TwinIndex } from './twin-index.ts';

/** What the audit log keeps of a grid. */
function auditView(g: store.GridRow) {
  return {
    code: g.code,
    name: g.name,
    communityId: g.community_id,
    workerId: g.worker_id,
    headId: g.head_id,
    geometry: g.geometry,
  };
}

async function checkPeople(tx: Executor, ids: (string | null | undefined)[]): Promise<void> {
  const wanted = ids.filter((id): id is string => !!id);
  const found = new Set((await findUsersByIds(tx, wanted)).map((u) => u.id));
  const missing = wanted.find((id) => !found.has(id));
  if (missing) throw badRequest(`user ${missing} does not exist`);
}

/** Draws a grid cell in a community (audited) and re-derives which places and devices lie in it. */
export async function gridCreator(unit: Unit, index: TwinIndex, input: GridInput): Promise<store.GridRow> {
  const community = await store.findPlace(unit.tx, input.communityId);
  if (community?.kind !== 'community') {
    throw badRequest('a grid belongs to a community (社区)', [{ pointer: '/communityId', detail: 'not a community' }]);
  }
  if ((await store.findGridsByCode(unit.tx, [input.code])).length > 0) throw conflict(`grid code ${input.code} exists`);
  await checkPeople(unit.tx, [input.workerId, input.headId]);
  const now = unit.clock.now().toISOString();
  const row: store.GridRow = {
    id: randomUUID(),
    code: input.code,
    name: input.name,
    community_id: community.id,
    path: community.path,
    geometry: JSON.stringify(input.geometry),
    worker_id: input.workerId ?? null,
    head_id: input.headId ?? null,
    attributes: JSON.stringify(input.attributes ?? {}),
    created_at: now,
    updated_at: now,
  };
  await store.insertGrid(unit.tx, row);
  await regridUnder(unit.tx, community.path);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'grid.create',
    subjectType: 'grid',
    subjectId: row.id,
    after: auditView(row),
  });
  unit.afterCommit(() => index.upsertGrid(row.id, input.geometry as Area));
  return row;
}

/** Changes a grid cell (audited). */
export async function gridUpdater(unit: Unit, index: TwinIndex, before: store.GridRow, patch: GridPatch) {
  const after: store.GridRow = { ...before, updated_at: unit.clock.now().toISOString() };
  if (patch.code !== undefined && patch.code !== before.code) {
    if ((await store.findGridsByCode(unit.tx, [patch.code])).length > 0)
      throw conflict(`grid code ${patch.code} exists`);
    after.code = patch.code;
  }
  if (patch.name !== undefined) after.name = patch.name;
  if (patch.attributes !== undefined) after.attributes = JSON.stringify(patch.attributes);
  if (patch.workerId !== undefined) after.worker_id = patch.workerId;
  if (patch.headId !== undefined) after.head_id = patch.headId;
  await checkPeople(unit.tx, [after.worker_id, after.head_id]);
  if (patch.geometry !== undefined) after.geometry = JSON.stringify(patch.geometry);
  await store.updateGrid(unit.tx, before.id, after);
  if (patch.geometry !== undefined) await regridUnder(unit.tx, before.path);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'grid.update',
    subjectType: 'grid',
    subjectId: before.id,
    before: auditView(before),
    after: auditView(after),
  });
  if (patch.geometry) unit.afterCommit(() => index.upsertGrid(before.id, patch.geometry as Area));
  return after;
}

/** Removes a grid cell (audited); its places and devices are left without a grid. */
export async function gridRemover(unit: Unit, index: TwinIndex, row: store.GridRow): Promise<void> {
  await store.deleteGrid(unit.tx, row.id);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'grid.delete',
    subjectType: 'grid',
    subjectId: row.id,
    before: auditView(row),
  });
  unit.afterCommit(() => index.removeGrid(row.id));
}

/** Loads a grid or answers 404. */
export async function gridLoader(tx: Executor, id: string): Promise<store.GridRow> {
  const row = await store.findGrid(tx, id);
  if (!row) throw notFound(`grid ${id}`);
  return row;
}

/** The workers and heads named by some grids, for presenting them. */
export async function gridPeople(tx: Executor, rows: store.GridRow[]) {
  const ids = [...new Set(rows.flatMap((g) => [g.worker_id, g.head_id]).filter((id): id is string => !!id))];
  return new Map((await findUsersByIds(tx, ids)).map((u) => [u.id, u]));
}
