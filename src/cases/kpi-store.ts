import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import type { CaseRow } from './store.ts';

// The KPI query of the case engine: the few columns KPI counting needs, for a period and a place
// subtree (split from store.ts, which holds the rest of the case engine's SQL).

/** The columns KPI counting needs. */
export type KpiCaseRow = Pick<
  CaseRow,
  | 'source'
  | 'state'
  | 'created_at'
  | 'registered_at'
  | 'dispatched_at'
  | 'dispatch_accurate'
  | 'received_at'
  | 'accept_by'
  | 'handle_by'
  | 'accepted_at'
  | 'handled_at'
  | 'verified_at'
  | 'closed_at'
  | 'evaluated_at'
  | 'voided_at'
  | 'extension_count'
  | 'rework_count'
  | 'satisfaction'
>;

/**
 * Cases of a subtree (and department) that touch the period [from, to): reported, dispatched,
 * due (handling deadline), accepted, handled or evaluated in it.
 */
export async function casesForKpis(
  db: Executor,
  f: { path: string | null; departmentId: string | null; from: string; to: string },
): Promise<KpiCaseRow[]> {
  let q = db.selectFrom('cases');
  if (f.path !== null) q = q.where('path', 'like', `${f.path}%`);
  if (f.departmentId !== null) q = q.where('department_id', '=', f.departmentId);
  const inPeriod = (
    eb: ExpressionBuilder<Database, 'cases'>,
    column: 'created_at' | 'dispatched_at' | 'handle_by' | 'accepted_at' | 'handled_at' | 'evaluated_at',
  ) => eb.and([eb(column, '>=', f.from), eb(column, '<', f.to)]);
  return q
    .where((eb) =>
      eb.or([
        inPeriod(eb, 'created_at'),
        inPeriod(eb, 'dispatched_at'),
        inPeriod(eb, 'handle_by'),
        inPeriod(eb, 'accepted_at'),
        inPeriod(eb, 'handled_at'),
        inPeriod(eb, 'evaluated_at'),
      ]),
    )
    .select([
      'source',
      'state',
      'created_at',
      'registered_at',
      'dispatched_at',
      'dispatch_accurate',
      'received_at',
      'accept_by',
      'handle_by',
      'accepted_at',
      'handled_at',
      'verified_at',
      'closed_at',
      'evaluated_at',
      'voided_at',
      'extension_count',
      'rework_count',
      'satisfaction',
    ])
    .execute();
}
