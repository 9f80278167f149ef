import type { Principal } from '../kernel/auth/principal.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { badRequest } from '../kernel/problems.ts';
import { findPlace } from '../twin/store.ts';
import type { CaseFilterQuery } from './schema.ts';
import type { CaseFilter } from './store.ts';
import { caseStateSchema } from './workflow.ts';

/**
 * The filters of `GET /api/cases` (and of its export) as the store takes them: states checked,
 * the place resolved to its path, `me` to the caller, `overdue` to the instant `now`. Returns the
 * place too, for callers that check it against the scope.
 */
export async function caseFilterResolver(
  db: Executor,
  caller: Principal,
  q: CaseFilterQuery,
  now: Date,
): Promise<{ filter: CaseFilter; place: { path: string; code: string } | null }> {
  const states = q.status?.split(',').map((s) => s.trim());
  for (const s of states ?? [])
    if (!caseStateSchema.safeParse(s).success)
      throw badRequest(`unknown status ${s}`, [{ pointer: '/query/status', detail: 'unknown state' }]);
  const place = q.place ? await findPlace(db, q.place) : null;
  if (q.place && !place)
    throw badRequest(`place ${q.place} does not exist`, [{ pointer: '/query/place', detail: 'unknown' }]);
  const at = now.toISOString();
  return {
    place: place ?? null,
    filter: {
      states,
      category: q.category,
      gridId: q.grid,
      placePath: place?.path,
      assigneeId: q.assignee === 'me' ? caller.userId : q.assignee,
      overdueAt: q.overdue === 'true' ? at : undefined,
      notOverdueAt: q.overdue === 'false' ? at : undefined,
      source: q.source,
      from: q.from ? new Date(q.from).toISOString() : undefined,
      to: q.to ? new Date(q.to).toISOString() : undefined,
    },
  };
}
