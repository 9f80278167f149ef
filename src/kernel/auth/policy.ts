import { forbidden, outsideScope } from '../problems.ts';
import { inScope, type Principal, type Scoped } from './principal.ts';
import type { Role } from './roles.ts';

/** Refuses (403) unless the principal has one of the roles. */
export function requireRole(principal: Principal, allowed: readonly Role[], what: string): void {
  if (!allowed.includes(principal.role)) {
    throw forbidden(`the ${principal.role} role may not ${what}`);
  }
}

/** Refuses (403) when the thing lies outside the principal's scope. */
export function requireInScope(principal: Principal, thing: Scoped, what: string): void {
  if (!inScope(principal.scope, thing)) throw outsideScope(`${what} is outside your area of responsibility`);
}
