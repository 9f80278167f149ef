import type { Principal } from '../../kernel/auth/principal.ts';
import type { Role } from '../../kernel/auth/roles.ts';

/**
 * Who may do what with EPCIS data. Regulators (市场监管) read everything within their place scope;
 * an enterprise (食品企业) captures only at its own locations and reads only its own events;
 * administrators do everything.
 */
export const epcisPolicy = {
  /** Query events, capture jobs, master data, named queries. */
  read: ['admin', 'regulator', 'enterprise'],
  /** Capture events (an enterprise only at locations linked to it). */
  capture: ['admin', 'enterprise'],
  /** Link master data to twin places and owners; create locations and parties. */
  linkMasterData: ['admin'],
  /** Named queries and webhook subscriptions (each sees only what its owner may read). */
  subscribe: ['admin', 'regulator', 'enterprise'],
} as const satisfies Record<string, readonly Role[]>;

/**
 * Which events a caller may read: all, those whose location lies under a place path, or an
 * enterprise's own (captured by it or at a location it owns).
 */
export type EventVisibility = { kind: 'all' } | { kind: 'scope'; path: string } | { kind: 'own'; userId: string };

/** The events a principal may read (call after `requireRole(…, epcisPolicy.read, …)`). */
export function visibilityOf(p: Pick<Principal, 'role' | 'userId' | 'scope'>): EventVisibility {
  if (p.role === 'enterprise') return { kind: 'own', userId: p.userId };
  if (p.scope.path === null) return { kind: 'all' };
  return { kind: 'scope', path: p.scope.path };
}
