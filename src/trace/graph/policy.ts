/**
 * Who may trace (食品追溯查询) and through which events. Regulators (市场监管) and administrators see
 * every event — for now; a regulator's place scope will narrow it once events carry the place of
 * their location. An enterprise (食品企业) traces only through the events it captured itself
 * (`captured_by`), so it learns nothing of its partners' records. Everyone else: 403.
 */
import { requireRole } from '../../kernel/auth/policy.ts';
import type { Principal } from '../../kernel/auth/principal.ts';
import type { Role } from '../../kernel/auth/roles.ts';
import type { Visibility } from './store.ts';

/** Roles that may trace, and how far they see. */
export const tracePolicy = {
  /** Every event. */
  seeAll: ['admin', 'regulator'],
  /** Only the events they captured. */
  seeOwn: ['enterprise'],
} as const satisfies Record<string, readonly Role[]>;

/** The events a caller may trace through; refuses (403 forbidden) roles that may not trace. */
export function traceVisibility(caller: Principal, what: string): Visibility {
  requireRole(caller, [...tracePolicy.seeAll, ...tracePolicy.seeOwn], what);
  return (tracePolicy.seeAll as readonly Role[]).includes(caller.role)
    ? { kind: 'all' }
    : { kind: 'captured-by', userId: caller.userId };
}
