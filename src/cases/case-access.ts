import type { Principal } from '../kernel/auth/principal.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { notFound, outsideScope } from '../kernel/problems.ts';
import type { CaseActor } from './case-steps.ts';
import { canSeeCase } from './policy.ts';
import type { CaseRow } from './store.ts';
import * as store from './store.ts';

/** The case actor of an authenticated caller. */
export function caseActorOf(p: Principal): CaseActor {
  return { userId: p.userId, name: p.displayName, role: p.role, scope: p.scope };
}

/** The departments a viewer belongs to (only handlers' visibility depends on them). */
export async function viewerDepartments(db: Executor, p: Pick<Principal, 'role' | 'userId'>): Promise<string[]> {
  return p.role === 'handler' ? store.departmentIdsOf(db, p.userId) : [];
}

/** Loads a case the caller may see: 404 if none, 403 outside-scope if hidden from them. */
export async function visibleCaseLoader(db: Executor, caller: Principal, id: string): Promise<CaseRow> {
  const row = await store.findCase(db, id);
  if (!row) throw notFound(`case ${id}`);
  if (!canSeeCase(caller, row, await viewerDepartments(db, caller)))
    throw outsideScope(`case ${row.code} is outside your area of responsibility`);
  return row;
}
