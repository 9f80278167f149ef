import { inScope, type Principal } from '../kernel/auth/principal.ts';
import type { Role } from '../kernel/auth/roles.ts';
import type { CasesTable } from './tables.ts';

/** Who may do what with cases; the workflow table (workflow.ts) decides the actions themselves. */
export const casePolicy = {
  /** Report a case: dispatchers (hotline, on behalf), grid workers (patrol), residents, enterprises. */
  create: ['dispatcher', 'worker', 'resident', 'enterprise'],
  /** Read cases: everyone, narrowed by `caseVisibility`. */
  read: ['admin', 'leader', 'dispatcher', 'worker', 'handler', 'resident', 'regulator', 'enterprise', 'organisation'],
  /** Reporters' names and phones in full (dispatchers call them back). */
  seeReporter: ['admin', 'dispatcher'],
  /** Duty rosters. */
  rosters: ['admin', 'dispatcher'],
  /** Departments and the case settings. */
  configure: ['admin'],
  /** KPIs. */
  kpis: ['admin', 'leader', 'dispatcher'],
  /** Export the case list (CSV/XLSX): those who watch whole areas. */
  export: ['admin', 'leader', 'dispatcher'],
} as const satisfies Record<string, readonly Role[]>;

/**
 * How a role's case list is narrowed (all of it in `store.ts` as SQL and here as a predicate):
 * - `area`: everything in the scope's subtree (and grid) — admin, leader, dispatcher, regulator;
 * - `grid`: a grid worker: cases of their grid (or subtree, if they have no grid) plus cases they
 *   are involved in (assignee, first-responsible, handler) wherever they are;
 * - `department`: a handler: their departments' cases in their subtree plus cases they are involved in;
 * - `own`: residents, enterprises, organisations: the cases they reported.
 */
export type CaseVisibility = 'area' | 'grid' | 'department' | 'own';

/** The visibility rule of a role. */
export function caseVisibility(role: Role): CaseVisibility {
  switch (role) {
    case 'worker':
      return 'grid';
    case 'handler':
      return 'department';
    case 'resident':
    case 'enterprise':
    case 'organisation':
      return 'own';
    default:
      return 'area';
  }
}

/** The fields of a case that decide who may see it. */
export type CaseScopeFacts = Pick<
  CasesTable,
  'path' | 'grid_id' | 'department_id' | 'reporter_id' | 'assignee_id' | 'first_responsible_id' | 'handler_id'
>;

/** Whether the viewer is involved in the case (assigned, first-responsible or handler). */
export function involvedIn(viewer: Principal, c: CaseScopeFacts): boolean {
  return [c.assignee_id, c.first_responsible_id, c.handler_id].includes(viewer.userId);
}

/** Whether `viewer` may see the case; `departmentIds` are the viewer's departments (handlers). */
export function canSeeCase(viewer: Principal, c: CaseScopeFacts, departmentIds: readonly string[]): boolean {
  const area = inScope(viewer.scope, { path: c.path, gridId: c.grid_id });
  switch (caseVisibility(viewer.role)) {
    case 'area':
      return area;
    case 'grid':
      return area || involvedIn(viewer, c);
    case 'department':
      return (area && c.department_id !== null && departmentIds.includes(c.department_id)) || involvedIn(viewer, c);
    case 'own':
      return c.reporter_id === viewer.userId;
  }
}
