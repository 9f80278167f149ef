import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import { findUsersByIds } from '../kernel/auth/store.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { badRequest } from '../kernel/problems.ts';
import type { DepartmentRow } from './store.ts';
import * as store from './store.ts';
import { categoryByCode } from './time-limits.ts';

// Departments (职能部门) own categories: 环卫 sanitation owns the garbage categories, so those
// cases go to its handlers (dispatch-rules.ts). A handler belongs to one or more departments.

/** `PUT /api/departments/{code}`: create or replace a department. */
export const departmentInput = z.object({
  name: z.string().min(1).max(100),
  categories: z.array(z.string().min(1)).max(100).describe('case category codes the department owns'),
  memberIds: z.array(z.string().min(1)).max(1000).describe('user ids of its handlers'),
});
export type DepartmentInput = z.infer<typeof departmentInput>;

export const departmentView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  categories: z.array(z.string()),
  memberIds: z.array(z.string()),
});
export type DepartmentView = z.infer<typeof departmentView>;

/** Departments with their members, as clients see them. */
export async function departmentsWithMembers(db: Executor): Promise<DepartmentView[]> {
  const rows = await store.listDepartments(db);
  const members = await store.membersOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name,
    categories: JSON.parse(r.categories),
    memberIds: members.filter((m) => m.department_id === r.id).map((m) => m.user_id),
  }));
}

/**
 * Creates or replaces a department (audited). Each category may belong to one department only;
 * members must be handlers.
 */
export async function departmentUpserter(unit: Unit, code: string, input: DepartmentInput): Promise<DepartmentView> {
  input.categories.forEach((c, i) => {
    if (!categoryByCode(c))
      throw badRequest(`unknown category ${c}`, [{ pointer: `/categories/${i}`, detail: 'unknown' }]);
  });
  const all = await departmentsWithMembers(unit.tx);
  for (const other of all.filter((d) => d.code !== code)) {
    const taken = input.categories.find((c) => other.categories.includes(c));
    if (taken)
      throw badRequest(`category ${taken} already belongs to ${other.name}`, [
        { pointer: `/categories/${input.categories.indexOf(taken)}`, detail: 'owned by another department' },
      ]);
  }
  const users = new Map((await findUsersByIds(unit.tx, input.memberIds)).map((u) => [u.id, u]));
  input.memberIds.forEach((id, i) => {
    if (users.get(id)?.role !== 'handler')
      throw badRequest(`user ${id} is not a handler`, [{ pointer: `/memberIds/${i}`, detail: 'not a handler' }]);
  });
  const before = all.find((d) => d.code === code);
  const now = unit.clock.now().toISOString();
  const row: DepartmentRow = {
    id: before?.id ?? randomUUID(),
    code,
    name: input.name,
    categories: JSON.stringify([...new Set(input.categories)]),
    created_at: now,
    updated_at: now,
  };
  await store.upsertDepartment(unit.tx, row);
  await store.replaceMembers(unit.tx, row.id, [...new Set(input.memberIds)]);
  const after: DepartmentView = {
    id: row.id,
    code,
    name: row.name,
    categories: JSON.parse(row.categories),
    memberIds: [...new Set(input.memberIds)],
  };
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: before ? 'department.update' : 'department.create',
    subjectType: 'department',
    subjectId: row.id,
    ...(before ? { before } : {}),
    after,
  });
  return after;
}
